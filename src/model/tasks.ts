import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Campaign, NodeSpec, Resources } from './campaign.js';
import type { Dag } from './dag.js';
import type { Spread } from './expand/chunk.js';
import type { Instances } from './expand/instances.js';

/**
 * One unit of execution: a runnable node, or one instance (or chunk of instances) of a
 * fanned-out node. Everything in it is resolved: the engine and the adapters take it as is.
 */
export interface TaskSpec {
  /** `node.id` for a plain node; `node.id[instance]` for an instance of a fan-out. */
  readonly id: string;
  readonly node: NodeSpec;
  readonly command: string | readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Absolute working directory. */
  readonly workdir: string;
  /** Output paths or globs, relative to the workdir. */
  readonly outputs: readonly string[];
  readonly check?: string | readonly string[];
  /** The marker files the campaign writes when the task succeeded, relative to the workdir. */
  readonly markers?: TaskMarkers;
  readonly resources: Resources;
  /** Wall-clock limit of one attempt in seconds: `timeout`, else the declared runtime x margin. */
  readonly limit?: number;
  /**
   * Fingerprint of everything that changes what the task produces (command, environment,
   * workdir, parameters, cores): a changed definition makes the task stale.
   */
  readonly hash: string;
  /**
   * For a task that bundles fan-out items: the items, written to a manifest whose path the
   * task finds in $CAMPAIGN_ITEMS, and the task's index among its node's tasks
   * ($CAMPAIGN_TASK_INDEX).
   */
  readonly items?: readonly ItemRecord[];
  readonly index?: number;
  /** The instance id (`huc-1201`) or chunk id (`chunk-0003`) in the task id's brackets. */
  readonly instance?: string;
  /** What the node's workflow type estimates the task needs (for the resource planner). */
  readonly estimate?: ResourceEstimate;
}

/** A task's READY files (one per item) and DONE records, rendered. */
export interface TaskMarkers {
  readonly ready: readonly string[];
  readonly done: readonly string[];
}

/** One item of a fanned-out task, as written to its manifest ($CAMPAIGN_ITEMS). */
export interface ItemRecord {
  /** The instance id. */
  readonly instance: string;
  /** The instance's position among its node's instances. */
  readonly index: number;
  /** The instance's seed (see docs/fan-out.md). */
  readonly seed: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A workflow type's estimate of what one task needs. Memory in MiB, runtime in seconds. */
export interface ResourceEstimate {
  readonly cores?: number;
  readonly memory?: number;
  readonly runtime?: number;
  readonly gpus?: number;
  readonly nodes?: number;
}

/** How a runnable node became tasks: one task, one per instance, or one per chunk of items. */
export interface NodeTasks {
  readonly node: NodeSpec;
  /** Its tasks are tasks[first .. first + count). */
  readonly first: number;
  readonly count: number;
  readonly fanout?: NodeFanout;
  readonly estimate?: ResourceEstimate;
}

/** The fan-out of a node: its instances, those left out as complete, and the chunking. */
export interface NodeFanout {
  readonly instances: Instances;
  /** Instance numbers that became tasks, in order (all but those `skip_complete` left out). */
  readonly kept: ArrayLike<number>;
  readonly skipped: number;
  /** How items are dealt into tasks, with `chunk`. */
  readonly spread?: Spread;
  /** How the instance ids were made: an `id` template, the values, or the position. */
  readonly idSource: 'template' | 'values' | 'index' | 'workflow';
}

/** The tasks of a campaign and the DAG over them; vertex v is tasks[v]. */
export interface TaskGraph {
  readonly tasks: readonly TaskSpec[];
  readonly dag: Dag;
  /** Task id → vertex (built on first use: a million ids cost a map that `plan` does not need). */
  readonly indexOf: ReadonlyMap<string, number>;
  readonly order: Int32Array;
  /** Per runnable node, aligned with the node graph's vertices. */
  readonly nodes: readonly NodeTasks[];
  /** For each task edge (DAG edge number), the node edge (CampaignGraph.edges index) it comes from. */
  readonly edgeOf: Int32Array;
}

/** Without a `timeout`, an attempt may run this many times its declared runtime. */
export const RUNTIME_MARGIN = 2;

/** Resolves one task of a node. `extra` adds instance values to the fingerprint. */
export function taskOf(
  campaign: Campaign,
  node: NodeSpec,
  id: string,
  command: string | readonly string[],
  extra: Readonly<Record<string, unknown>>,
): TaskSpec {
  const workdir = node.workdir
    ? isAbsolute(node.workdir)
      ? node.workdir
      : resolve(campaign.dir, node.workdir)
    : campaign.dir;
  const r = node.resources;
  const limit = node.timeout ?? (r.runtime !== undefined ? r.runtime * RUNTIME_MARGIN : undefined);
  const task: TaskSpec & { cached?: string } = {
    id,
    node,
    command,
    env: node.env,
    workdir,
    outputs: node.outputs,
    ...(node.check !== undefined ? { check: node.check } : {}),
    ...(node.markers
      ? {
          markers: {
            ready: node.markers.ready !== undefined ? [node.markers.ready] : [],
            done: node.markers.done !== undefined ? [node.markers.done] : [],
          },
        }
      : {}),
    resources: r,
    ...(limit !== undefined ? { limit } : {}),
    // Computed when first asked for: validate and plan never need it.
    get hash(): string {
      this.cached ??= fingerprint({
        command,
        setup: node.setup,
        env: node.env,
        workdir,
        workflow: node.workflow ?? null,
        params: node.params ?? null,
        cores: [r.cores, r.ranks ?? 0, r.threads ?? 0, r.gpus, r.nodes],
        extra,
      });
      return this.cached;
    },
  };
  return task;
}

/** A short, stable hash of a value (sorted keys). */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

/** JSON with sorted keys, so that the order keys were written in changes no fingerprint. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
