import { statSync } from 'node:fs';
import type { Diagnostic, LocatedDiagnostic } from '../config/diagnostic.js';
import type { RequestCap } from '../exec/retry.js';
import { type ClusterIn, readCluster } from '../model/cluster-file.js';
import type { Loaded } from '../model/load.js';
import { sortDiagnostics } from '../model/load.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import { scheduleTasks } from '../plan/input.js';
import { type MeasuredInputs, measureInputs } from '../plan/inputs.js';
import type { PartitionChoice } from '../plan/partition.js';
import { partitionDiagnostics } from '../plan/partition-check.js';
import { partitionsOf } from '../plan/plan.js';
import { plannedGraph } from '../plan/requests.js';
import { declaredSizing, type SizedTasks, sizeTasks } from '../plan/size-tasks.js';
import { schedulers } from '../schedulers/index.js';
import { deadlineDiagnostic, hasBudget, type SchedulePlan, schedulePlan } from '../ui/plan-schedule.js';
import type { CampaignContext } from './context.js';
import { Exit, UsageError } from './exit.js';
import { rightSizeFromHistory } from './history.js';
import { type HistoryOverride, historyOverrides } from './history-apply.js';
import { err } from './io.js';
import { printDiagnostics } from './load.js';

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
  /** What the planner assumed: input files that do not exist, counted as 0 bytes. */
  readonly notes: readonly string[];
  /** Bytes of each task's inputs, as measured (undefined: its node declares none). */
  readonly inputBytes: (task: number) => number | undefined;
}

function fileSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

function inputNotes(inputs: MeasuredInputs): string[] {
  return [...inputs.missing].map(
    ([node, m]) =>
      `${node}: ${m.count} input${m.count === 1 ? '' : 's'} not found, counted as 0 bytes: ${m.first}${m.count > 1 ? ', ...' : ''}`,
  );
}

export interface PlanCampaignOptions {
  /** The clock: the run starts now. */
  readonly now: number;
  /** Requests that replace the sized ones of a node (MiB, s): history's suggestions, applied. */
  readonly override?: ReadonlyMap<string, HistoryOverride>;
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
  const inputs = measureInputs(tasks, fileSize);
  const sized = sizeTasks(tasks, { settings: declaredSizing, inputBytes: (_t, v) => inputs.bytes(v) });
  if (o.override) applyOverride(tasks, sized, o.override);
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
    notes: inputNotes(inputs),
    inputBytes: inputs.bytes,
  };
}

function applyOverride(
  tasks: TaskGraph,
  sized: SizedTasks,
  override: NonNullable<PlanCampaignOptions['override']>,
): void {
  for (const nt of tasks.nodes) {
    const o = override.get(nt.node.id);
    if (!o) continue;
    for (const key of ['memory', 'runtime'] as const) {
      const x = o[key];
      if (x === undefined) continue;
      const list = sized.requests[key];
      if (typeof x === 'number') list.fill(x, nt.first, nt.first + nt.count);
      else for (let v = nt.first; v < nt.first + nt.count; v++) list[v] = x(v);
    }
  }
}

/**
 * The task graph `run` hands to the engine: every task's request from the planner (sizing,
 * history's suggestions when applied, the partition of a batch run), after the same checks as
 * `plan` (cluster, partitions, deadline), whose errors stop the run (exit 2). What history did
 * to each node is said on stderr.
 */
export function runGraph(ctx: CampaignContext, applyHistory: boolean): TaskGraph {
  const { loaded, file, store } = ctx;
  const type = loaded.campaign.scheduler.type;
  let override: Map<string, HistoryOverride> | undefined;
  if (applyHistory) {
    const base = planCampaign(loaded, file, { now: Date.now(), noCluster: true });
    const rows = rightSizeFromHistory(store, loaded.tasks, base.sized, base.inputBytes);
    override = historyOverrides(loaded.tasks, rows, base.inputBytes);
  }
  const planned = planCampaign(loaded, file, {
    now: Date.now(),
    noCluster: schedulers[type].placesIn === undefined,
    ...(override ? { override } : {}),
  });
  for (const note of planned.notes) err(`note: ${note}\n`);
  if (planned.problems.length > 0) {
    printDiagnostics(planned.problems, { file });
    throw new UsageError('', Exit.usage);
  }
  return plannedGraph(loaded.tasks, {
    requests: planned.sized.requests,
    ...(planned.partitions ? { partitions: planned.partitions } : {}),
    option: schedulers[type].placesIn ?? 'partition',
  });
}

/**
 * What each task's escalated request may grow to on a batch run: the memory per node and the
 * walltime of the partition (or queue) the planner chose for it. Undefined without a cluster
 * description, or where nothing is placed (the local machine caps by what the run may use).
 */
export function requestCaps(ctx: CampaignContext): ((t: TaskSpec) => RequestCap) | undefined {
  const { loaded, file } = ctx;
  const option = schedulers[loaded.campaign.scheduler.type].placesIn;
  if (!option || !loaded.campaign.cluster) return undefined;
  const read = readCluster(loaded.campaign, file);
  if (!read.ok || !read.value) return undefined;
  const byName = new Map(read.value.cluster.partitions.map((p) => [p.name, p]));
  return (t) => {
    const name = t.node.scheduler[option];
    const p = name !== undefined ? byName.get(name) : undefined;
    return p
      ? { memory: p.memoryPerNode, ...(p.maxWalltime !== undefined ? { walltime: p.maxWalltime } : {}) }
      : {};
  };
}
