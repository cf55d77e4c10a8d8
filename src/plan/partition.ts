import { nearest } from '../config/suggest.js';
import { formatDuration, formatMemory } from '../model/units.js';
import type { Cluster, Partition } from './cluster.js';
import type { ScheduleBudget } from './schedule.js';

/** What one job asks for. `cores` in all (spread over `nodes`), memory in MiB per node. */
export interface JobRequest {
  readonly cores: number;
  readonly memory?: number;
  readonly gpus: number;
  readonly nodes: number;
  /** The time limit, in seconds. */
  readonly runtime?: number;
}

/** One limit of a partition that a request exceeds. */
export interface Exceeded {
  readonly limit: 'cores' | 'memory' | 'gpus' | 'walltime' | 'nodes' | 'user-cores';
  readonly requested: number;
  readonly available: number;
}

/** Why a request does not fit one partition: every limit it exceeds, and the line to print. */
export interface Misfit {
  readonly partition: string;
  readonly exceeded: readonly Exceeded[];
  /** `debug: memory per node 64G > 22900M; walltime 2d > 1h` */
  readonly line: string;
}

export type PartitionChoice =
  | { readonly ok: true; readonly partition: Partition; readonly named: boolean }
  | {
      readonly ok: false;
      readonly reason: 'fits-nowhere';
      readonly misfits: readonly Misfit[];
      readonly message: string;
    }
  | {
      readonly ok: false;
      readonly reason: 'does-not-fit';
      readonly misfits: readonly Misfit[];
      readonly message: string;
    }
  | {
      readonly ok: false;
      readonly reason: 'unknown-partition';
      readonly name: string;
      readonly suggestion?: string;
      readonly message: string;
    };

/**
 * The partition a job goes to: the one it names, once checked that the job fits there, else
 * the first in the cluster's order that fits. When none fits, every partition's misfit.
 */
export function choosePartition(cluster: Cluster, request: JobRequest, named?: string): PartitionChoice {
  if (named !== undefined) {
    const p = cluster.partitions.find((x) => x.name === named);
    if (!p) {
      const near = nearest(
        named,
        cluster.partitions.map((x) => x.name),
      );
      return {
        ok: false,
        reason: 'unknown-partition',
        name: named,
        ...(near ? { suggestion: `did you mean \`${near}\`?` } : {}),
        message: `the cluster has no partition \`${named}\` (it has ${cluster.partitions.map((x) => x.name).join(', ')})`,
      };
    }
    const miss = misfitOf(p, request);
    if (!miss) return { ok: true, partition: p, named: true };
    return {
      ok: false,
      reason: 'does-not-fit',
      misfits: [miss],
      message: `does not fit partition ${miss.line}`,
    };
  }
  const misfits: Misfit[] = [];
  for (const p of cluster.partitions) {
    const miss = misfitOf(p, request);
    if (!miss) return { ok: true, partition: p, named: false };
    misfits.push(miss);
  }
  return {
    ok: false,
    reason: 'fits-nowhere',
    misfits,
    message: `fits no partition:\n${misfits.map((m) => `  ${m.line}`).join('\n')}`,
  };
}

/** Every limit of `p` the request exceeds, or undefined when it fits. */
export function misfitOf(p: Partition, r: JobRequest): Misfit | undefined {
  const nodes = Math.max(1, r.nodes);
  const perNode = Math.ceil(r.cores / nodes);
  const out: Exceeded[] = [];
  const check = (limit: Exceeded['limit'], requested: number, available: number | undefined) => {
    if (available !== undefined && requested > available) out.push({ limit, requested, available });
  };
  check('nodes', nodes, Math.min(p.nodes, p.maxNodes ?? p.nodes));
  check('cores', perNode, p.coresPerNode);
  if (r.memory !== undefined) check('memory', r.memory, p.memoryPerNode);
  check('gpus', r.gpus, p.gpusPerNode);
  if (r.runtime !== undefined) check('walltime', r.runtime, p.maxWalltime);
  check('user-cores', r.cores, p.perUser?.maxCores);
  if (out.length === 0) return undefined;
  return { partition: p.name, exceeded: out, line: `${p.name}: ${out.map(describe).join('; ')}` };
}

const LABEL: Record<Exceeded['limit'], string> = {
  nodes: 'nodes',
  cores: 'cores per node',
  memory: 'memory per node',
  gpus: 'GPUs per node',
  walltime: 'walltime',
  'user-cores': 'cores per user',
};

function describe(e: Exceeded): string {
  const f =
    e.limit === 'memory' ? formatMemory : e.limit === 'walltime' ? formatDuration : (x: number) => String(x);
  return `${LABEL[e.limit]} ${f(e.requested)} > ${f(e.available)}`;
}

/** A partition as the schedule's budget, its per-user limits as caps on the whole. */
export function partitionBudget(p: Partition, nodes = p.nodes): ScheduleBudget {
  return {
    nodes: Math.min(nodes, p.nodes),
    coresPerNode: p.coresPerNode,
    memoryPerNode: p.memoryPerNode,
    gpusPerNode: p.gpusPerNode,
    ...(p.perUser?.maxJobs !== undefined ? { maxTasks: p.perUser.maxJobs } : {}),
    ...(p.perUser?.maxCores !== undefined ? { maxCores: p.perUser.maxCores } : {}),
  };
}
