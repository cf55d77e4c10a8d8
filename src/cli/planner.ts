import type { Diagnostic, LocatedDiagnostic } from '../config/diagnostic.js';
import { type ClusterIn, readCluster } from '../model/cluster-file.js';
import type { Loaded } from '../model/load.js';
import { sortDiagnostics } from '../model/load.js';
import type { TaskGraph } from '../model/tasks.js';
import { scheduleTasks } from '../plan/input.js';
import type { PartitionChoice } from '../plan/partition.js';
import { partitionDiagnostics } from '../plan/partition-check.js';
import { partitionsOf } from '../plan/plan.js';
import { type NodeSizing, type SizedTasks, sizeTasks } from '../plan/size-tasks.js';
import { deadlineDiagnostic, hasBudget, type SchedulePlan, schedulePlan } from '../ui/plan-schedule.js';

/** What the planner made of a loaded campaign, for `plan` to show and `run` to request. */
export interface CampaignPlan {
  readonly sized: SizedTasks;
  readonly cluster?: ClusterIn;
  /** By node id, with a cluster. */
  readonly partitions?: ReadonlyMap<string, PartitionChoice>;
  /** The schedule on the budget, when `[campaign.resources]` gives one. */
  readonly schedule?: SchedulePlan;
  /** Errors (exit 2): the cluster, partitions, the deadline; located, in file order. */
  readonly problems: readonly LocatedDiagnostic[];
}

export interface PlanCampaignOptions {
  /** The clock: the run starts now. */
  readonly now: number;
  /** A node's observed need, when history is applied (`--apply-history`). */
  readonly history?: (nodeId: string) => NodeSizing['history'] | undefined;
  /** Leave the cluster out (a local run does not go to a partition). */
  readonly noCluster?: boolean;
}

/**
 * Sizes every task (headroom, and history when asked for), reads the cluster and chooses each
 * node's partition, and schedules on the budget against the deadline. `file` is the campaign
 * file as the user wrote it (diagnostics name it so).
 */
export function planCampaign(loaded: Loaded, file: string, o: PlanCampaignOptions): CampaignPlan {
  const { campaign } = loaded;
  const tasks: TaskGraph = loaded.tasks;
  const sized = sizeTasks(tasks, {
    settings: (n) => {
      const history = o.history?.(n.id);
      if (!n.headroom && !history) return undefined;
      return { ...(n.headroom ? { headroom: n.headroom } : {}), ...(history ? { history } : {}) };
    },
  });
  const read = readCluster(campaign, file);
  const problems: Diagnostic[] = read.ok ? [] : [...read.diagnostics];
  const cluster = read.ok && !o.noCluster ? read.value : undefined;
  let partitions: Map<string, PartitionChoice> | undefined;
  if (cluster) {
    partitions = partitionsOf(cluster.cluster, tasks, scheduleTasks(tasks, { requests: sized.requests }));
    problems.push(...partitionDiagnostics(campaign.nodes, partitions, cluster.cluster, cluster));
  }
  const schedule = hasBudget(campaign)
    ? schedulePlan(
        campaign,
        tasks,
        { now: o.now, start: o.now, utcOffsetMinutes: -new Date(o.now).getTimezoneOffset() },
        { sized, ...(cluster ? { cluster: cluster.cluster } : {}) },
      )
    : undefined;
  const late = schedule ? deadlineDiagnostic(schedule) : undefined;
  if (late) problems.push(late);
  return {
    sized,
    ...(cluster ? { cluster } : {}),
    ...(partitions ? { partitions } : {}),
    ...(schedule ? { schedule } : {}),
    problems: problems.length > 0 ? sortDiagnostics(read.locator.locateAll(problems)) : [],
  };
}
