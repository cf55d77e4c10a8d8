import type { Budget, NodeSpec } from '../model/campaign.js';
import type { TaskGraph } from '../model/tasks.js';
import type { ScheduleBudget, ScheduleTasks } from './schedule.js';

/** Per-task requests that replace the declared ones (from sizing), indexed by task number. */
export interface TaskRequests {
  /** MiB. */
  readonly memory?: ArrayLike<number>;
  /** Seconds. */
  readonly runtime?: ArrayLike<number>;
}

export interface TasksOptions {
  readonly requests?: TaskRequests;
  /** The group a node's tasks are counted under (default: the node's id). */
  readonly groupOf?: (node: NodeSpec) => string;
}

/**
 * The schedule's input from the campaign's task graph: one pass over the tasks into typed
 * arrays, the DAG as it is. Undeclared memory and runtime count as 0.
 */
export function scheduleTasks(graph: TaskGraph, options: TasksOptions = {}): ScheduleTasks {
  const n = graph.tasks.length;
  const cores = new Float64Array(n);
  const memory = new Float64Array(n);
  const gpus = new Float64Array(n);
  const runtime = new Float64Array(n);
  const nodes = new Float64Array(n);
  const group = new Int32Array(n);
  const groups: string[] = [];
  const groupNumber = new Map<string, number>();
  const numberOf = (key: string) => {
    let g = groupNumber.get(key);
    if (g === undefined) {
      g = groups.length;
      groups.push(key);
      groupNumber.set(key, g);
    }
    return g;
  };
  const groupOf = options.groupOf ?? ((node: NodeSpec) => node.id);
  // Tasks of one node are contiguous: one group lookup per node, not per task.
  for (const nt of graph.nodes) {
    const g = numberOf(groupOf(nt.node));
    group.fill(g, nt.first, nt.first + nt.count);
  }
  const { requests } = options;
  for (let v = 0; v < n; v++) {
    const r = graph.tasks[v]!.resources;
    cores[v] = r.cores;
    gpus[v] = r.gpus;
    nodes[v] = r.nodes;
    memory[v] = requests?.memory?.[v] ?? r.memory ?? 0;
    runtime[v] = requests?.runtime?.[v] ?? r.runtime ?? 0;
  }
  return { dag: graph.dag, cores, memory, gpus, runtime, nodes, group, groups };
}

/**
 * The schedule's budget from `[campaign.resources]`: what it leaves out is not a limit (as
 * validation reads it), unless `machine` gives it (this machine, for a local run).
 */
export function scheduleBudget(
  budget: Budget,
  machine: { readonly cores?: number; readonly memory?: number; readonly gpus?: number } = {},
): ScheduleBudget {
  const inf = Number.POSITIVE_INFINITY;
  return {
    nodes: budget.nodes ?? 1,
    coresPerNode: budget.coresPerNode ?? machine.cores ?? inf,
    memoryPerNode: budget.memoryPerNode ?? machine.memory ?? inf,
    gpusPerNode: budget.gpusPerNode ?? machine.gpus ?? inf,
  };
}
