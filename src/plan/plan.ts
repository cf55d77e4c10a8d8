import type { Budget, NodeSpec } from '../model/campaign.js';
import type { TaskGraph } from '../model/tasks.js';
import type { Cluster } from './cluster.js';
import {
  checkDeadline,
  type DeadlineCheck,
  type DeadlineClock,
  type DeadlineError,
  parseDeadline,
} from './deadline.js';
import { scheduleBudget, scheduleTasks, type TaskRequests } from './input.js';
import { choosePartition, type PartitionChoice } from './partition.js';
import { type GroupRow, groupRows } from './render.js';
import { type Schedule, type ScheduleBudget, type ScheduleTasks, schedule } from './schedule.js';

/** Everything `campaign plan` needs planned, already read and validated. */
export interface PlanInput {
  readonly graph: TaskGraph;
  /** `[campaign.resources]`. */
  readonly budget: Budget;
  /** This machine, for what the budget leaves out (a local run). */
  readonly machine?: { readonly cores?: number; readonly memory?: number; readonly gpus?: number };
  /** Sized requests (`sizeTasks(...).requests`); default: the declared resources. */
  readonly requests?: TaskRequests;
  /** The group each node's tasks are counted under (default: the node's parent group, or itself). */
  readonly groupOf?: (node: NodeSpec) => string;
  /** The cluster, to choose each node's partition. */
  readonly cluster?: Cluster;
  /** `[campaign.resources] deadline` as read (text or TOML datetime), with the clock to read it by. */
  readonly deadline?: unknown;
  readonly clock?: DeadlineClock;
  /** The most nodes a deadline suggestion may have (default 64). */
  readonly maxNodes?: number;
}

/** The plan: the schedule on the budget, per-group rows, partitions, and the deadline. */
export interface Plan {
  readonly tasks: ScheduleTasks;
  readonly budget: ScheduleBudget;
  readonly schedule: Schedule;
  readonly rows: readonly GroupRow[];
  /** By node id, with a cluster: the partition each node's tasks go to, or why none. */
  readonly partitions?: ReadonlyMap<string, PartitionChoice>;
  readonly deadline?:
    | { readonly ok: true; readonly check: DeadlineCheck }
    | { readonly ok: false; readonly error: DeadlineError };
}

/**
 * Plans a loaded campaign: the schedule's input from the task graph, the schedule on the
 * budget, each node's partition when a cluster is given, and the deadline check with its
 * suggestion when a deadline is. Pure: the clock and the machine come in as inputs.
 */
export function makePlan(input: PlanInput): Plan {
  const groupOf = input.groupOf ?? ((n: NodeSpec) => n.parent ?? n.id);
  const tasks = scheduleTasks(input.graph, {
    groupOf,
    ...(input.requests ? { requests: input.requests } : {}),
  });
  const budget = scheduleBudget(input.budget, input.machine);
  const result = schedule(tasks, budget);
  const partitions = input.cluster ? partitionsOf(input.cluster, input.graph, tasks) : undefined;
  let byGroup: Map<number, Set<string>> | undefined;
  if (partitions) {
    byGroup = new Map();
    for (const nt of input.graph.nodes) {
      if (nt.count === 0) continue;
      const choice = partitions.get(nt.node.id);
      const g = tasks.group![nt.first]!;
      const set = byGroup.get(g) ?? new Set<string>();
      set.add(choice?.ok ? choice.partition.name : 'none');
      byGroup.set(g, set);
    }
  }
  const rows = groupRows(
    tasks,
    result,
    byGroup ? (g) => [...(byGroup.get(g) ?? [])].join(',') || undefined : undefined,
  );
  let deadline: Plan['deadline'];
  if (input.deadline !== undefined && input.clock) {
    const d = parseDeadline(input.deadline, input.clock);
    deadline = d.ok
      ? {
          ok: true,
          check: checkDeadline(tasks, budget, d.deadline.remaining, {
            scheduled: result,
            ...(input.maxNodes !== undefined ? { maxNodes: input.maxNodes } : {}),
          }),
        }
      : d;
  }
  return {
    tasks,
    budget,
    schedule: result,
    rows,
    ...(partitions ? { partitions } : {}),
    ...(deadline ? { deadline } : {}),
  };
}

/**
 * Each node's partition: its largest task's request (cores, memory, GPUs, nodes, and the time
 * limit or else the runtime) against the partition it names (`scheduler.partition` or
 * `queue`), else the first that fits.
 */
export function partitionsOf(
  cluster: Cluster,
  graph: TaskGraph,
  tasks: ScheduleTasks,
): Map<string, PartitionChoice> {
  const out = new Map<string, PartitionChoice>();
  for (const nt of graph.nodes) {
    if (nt.count === 0) continue;
    let cores = 0;
    let memory = 0;
    let gpus = 0;
    let nodes = 1;
    let runtime = 0;
    for (let v = nt.first; v < nt.first + nt.count; v++) {
      cores = Math.max(cores, tasks.cores[v]!);
      memory = Math.max(memory, tasks.memory[v]!);
      gpus = Math.max(gpus, tasks.gpus[v]!);
      nodes = Math.max(nodes, tasks.nodes?.[v] ?? 1);
      runtime = Math.max(runtime, graph.tasks[v]!.limit ?? tasks.runtime[v]!);
    }
    const named = nt.node.scheduler.partition ?? nt.node.scheduler.queue;
    out.set(
      nt.node.id,
      choosePartition(cluster, { cores, memory, gpus, nodes, ...(runtime > 0 ? { runtime } : {}) }, named),
    );
  }
  return out;
}
