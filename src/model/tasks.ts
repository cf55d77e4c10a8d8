import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Campaign, NodeSpec, Resources } from './campaign.js';
import type { Dag } from './dag.js';
import type { CampaignGraph } from './graph.js';

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
  readonly items?: readonly Readonly<Record<string, unknown>>[];
  readonly index?: number;
}

/** The tasks of a campaign and the DAG over them; vertex v is tasks[v]. */
export interface TaskGraph {
  readonly tasks: readonly TaskSpec[];
  readonly dag: Dag;
  readonly indexOf: ReadonlyMap<string, number>;
  readonly order: Int32Array;
}

/** Without a `timeout`, an attempt may run this many times its declared runtime. */
export const RUNTIME_MARGIN = 2;

/** The task graph of a campaign without fan-out: one task per runnable node. */
export function taskGraph(campaign: Campaign, graph: CampaignGraph): TaskGraph {
  const tasks = graph.tasks.map((node) => taskOf(campaign, node, node.id, node.command ?? ['true'], {}));
  return { tasks, dag: graph.dag, indexOf: graph.indexOf, order: graph.order };
}

/** Resolves one task of a node. `extra` adds instance values to the fingerprint. */
export function taskOf(
  campaign: Campaign,
  node: NodeSpec,
  id: string,
  command: string | readonly string[],
  extra: Readonly<Record<string, unknown>>,
): TaskSpec {
  const workdir = node.workdir ? (isAbsolute(node.workdir) ? node.workdir : resolve(campaign.dir, node.workdir)) : campaign.dir;
  const r = node.resources;
  const limit = node.timeout ?? (r.runtime !== undefined ? r.runtime * RUNTIME_MARGIN : undefined);
  const hash = fingerprint({
    command,
    setup: node.setup,
    env: node.env,
    workdir,
    workflow: node.workflow ?? null,
    params: node.params ?? null,
    cores: [r.cores, r.ranks ?? 0, r.threads ?? 0, r.gpus, r.nodes],
    extra,
  });
  return {
    id,
    node,
    command,
    env: node.env,
    workdir,
    outputs: node.outputs,
    ...(node.check !== undefined ? { check: node.check } : {}),
    resources: r,
    ...(limit !== undefined ? { limit } : {}),
    hash,
  };
}

function fingerprint(value: unknown): string {
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
