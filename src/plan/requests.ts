import type { NodeSpec, Resources } from '../model/campaign.js';
import { RUNTIME_MARGIN, type TaskGraph, type TaskSpec } from '../model/tasks.js';
import type { TaskRequests } from './input.js';
import type { PartitionChoice } from './partition.js';

/** What the run asks for, per task: the planner's requests in place of the declared ones. */
export interface RunRequests {
  /** Sized memory (MiB) and runtime (s) per task (`sizeTasks(...).requests`). */
  readonly requests: Required<TaskRequests>;
  /** Each node's partition (or queue), with a cluster. */
  readonly partitions?: ReadonlyMap<string, PartitionChoice>;
  /** Which option carries the partition: `partition` (Slurm) or `queue` (Grid Engine). */
  readonly option?: 'partition' | 'queue';
}

/**
 * The task graph the engine runs: each task's resources, time limit and scheduler options as
 * the planner made them. A task whose sized memory or runtime differs from what it declares
 * gets them as its request; its time limit is the node's `timeout`, else the sized runtime x
 * the usual margin (as for a declared runtime). A node whose partition the planner chose gets
 * it in its scheduler options. Tasks it changes nothing of are the same objects; the others
 * keep everything else of theirs (command, environment, fingerprint) through their prototype.
 */
export function plannedGraph(graph: TaskGraph, run: RunRequests): TaskGraph {
  const { memory, runtime } = run.requests;
  const option = run.option ?? 'partition';
  let changed = false;
  const tasks: TaskSpec[] = new Array(graph.tasks.length);
  for (const nt of graph.nodes) {
    const node = withPartition(nt.node, run.partitions?.get(nt.node.id), option);
    // Tasks of one node mostly ask for the same: one Resources object per distinct request.
    let last: { memory: number; runtime: number; resources: Resources } | undefined;
    for (let v = nt.first; v < nt.first + nt.count; v++) {
      const t = graph.tasks[v]!;
      const r = t.resources;
      const m = memory[v]!;
      const s = runtime[v]!;
      const sameMemory = m === (r.memory ?? 0);
      const sameRuntime = s === (r.runtime ?? 0);
      if (sameMemory && sameRuntime && node === t.node) {
        tasks[v] = t;
        continue;
      }
      changed = true;
      if (!last || last.memory !== m || last.runtime !== s) {
        const resources: Resources = {
          ...r,
          ...(m > 0 ? { memory: m } : {}),
          ...(s > 0 ? { runtime: s } : {}),
        };
        last = { memory: m, runtime: s, resources };
      }
      const limit = sameRuntime || node.timeout !== undefined || s <= 0 ? t.limit : s * RUNTIME_MARGIN;
      tasks[v] = Object.create(t, {
        resources: { value: last.resources, enumerable: true },
        limit: { value: limit, enumerable: true },
        node: { value: node, enumerable: true },
      }) as TaskSpec;
    }
  }
  if (!changed) return graph;
  return {
    tasks,
    dag: graph.dag,
    order: graph.order,
    nodes: graph.nodes,
    edgeOf: graph.edgeOf,
    // Built when first asked for, as the graph's own is.
    get indexOf() {
      return graph.indexOf;
    },
  };
}

function withPartition(
  node: NodeSpec,
  choice: PartitionChoice | undefined,
  option: 'partition' | 'queue',
): NodeSpec {
  if (!choice?.ok || node.scheduler[option] === choice.partition.name) return node;
  return { ...node, scheduler: { ...node.scheduler, [option]: choice.partition.name } };
}
