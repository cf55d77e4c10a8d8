import { type Diagnostic, diag } from '../config/diagnostic.js';
import type { Campaign } from '../model/campaign.js';
import type { TaskGraph } from '../model/tasks.js';
import { formatDuration, formatMemory } from '../model/units.js';
import type { Cluster } from '../plan/cluster.js';
import type { DeadlineClock } from '../plan/deadline.js';
import type { PartitionChoice } from '../plan/partition.js';
import { makePlan, type Plan } from '../plan/plan.js';
import { formatGroupTable, formatTimeline, formatUnfit } from '../plan/render.js';
import { declaredSizing, type SizedTasks, sizeTasks } from '../plan/size-tasks.js';

/** The schedule part of `campaign plan`: the plan, and how the nodes that declare headroom were sized. */
export interface SchedulePlan {
  readonly plan: Plan;
  readonly sized: SizedTasks;
  readonly names: (task: number) => string;
}

/** Whether `[campaign.resources]` gives a budget to schedule on. */
export function hasBudget(c: Campaign): boolean {
  const b = c.budget;
  return b.nodes !== undefined || b.coresPerNode !== undefined || b.memoryPerNode !== undefined;
}

/**
 * Plans the graph on the budget with the sized requests (default: each node's inherited
 * headroom on its declared values) and, with a cluster, each node's partition.
 */
export function schedulePlan(
  campaign: Campaign,
  tasks: TaskGraph,
  clock: DeadlineClock,
  given: { readonly sized?: SizedTasks; readonly cluster?: Cluster } = {},
): SchedulePlan {
  const sized = given.sized ?? sizeTasks(tasks, { settings: declaredSizing });
  const plan = makePlan({
    graph: tasks,
    budget: campaign.budget,
    requests: sized.requests,
    ...(given.cluster ? { cluster: given.cluster } : {}),
    ...(campaign.budget.deadline !== undefined ? { deadline: campaign.budget.deadline, clock } : {}),
  });
  return { plan, sized, names: (v) => tasks.tasks[v]!.id };
}

const arrow = (ids: readonly string[]) => ids.join(' → ');

/** The text after today's plan: budget, per-group table, totals, critical path, timeline. */
export function formatSchedule(sp: SchedulePlan): string {
  const { plan, names } = sp;
  const s = plan.schedule;
  const b = plan.budget;
  const out: string[] = [];
  const size = [
    `${b.nodes} node${b.nodes === 1 ? '' : 's'}`,
    Number.isFinite(b.coresPerNode) ? `${b.coresPerNode} cores` : undefined,
    Number.isFinite(b.memoryPerNode) ? formatMemory(b.memoryPerNode) : undefined,
    Number.isFinite(b.gpusPerNode) && b.gpusPerNode > 0 ? `${b.gpusPerNode} gpus` : undefined,
  ].filter((x) => x !== undefined);
  out.push(`schedule on ${size.join(' x ')}`);
  out.push(...formatGroupTable(plan.rows).trimEnd().split('\n'));
  out.push('');
  out.push(`  makespan       ${formatDuration(s.makespan)}`);
  out.push(`  core-hours     ${s.coreHours.toFixed(2)}`);
  if (s.gpuHours > 0) out.push(`  gpu-hours      ${s.gpuHours.toFixed(2)}`);
  out.push(`  peak           ${s.peakConcurrency} tasks, ${s.peakCores} cores`);
  const cp = [...s.criticalPath.tasks].map(names);
  out.push(
    `  critical path  ${cp.length > 0 ? `${arrow(cp)} (${formatDuration(s.criticalPath.seconds)})` : '-'}`,
  );
  if (s.chain.length > 0) out.push(`  ends last      ${arrow(s.chain.map((l) => names(l.task)))}`);
  if (plan.deadline?.ok) {
    const d = plan.deadline.check;
    out.push(
      `  deadline       ${d.met ? `${formatDuration(d.deadline)} away, met with ${formatDuration(d.deadline - d.makespan)} to spare` : d.text}`,
    );
  }
  if (s.unfit.length > 0) {
    out.push('  fits no node:');
    for (const line of formatUnfit(s.unfit, names)) out.push(`    ${line}`);
  }
  if (s.makespan > 0) {
    out.push('');
    out.push(...formatTimeline(plan.tasks, s).trimEnd().split('\n'));
  }
  return `${out.join('\n')}\n`;
}

/** `--json`: the schedule, totals, critical path, per-group rows and deadline. */
export function scheduleJson(tasks: TaskGraph, sp: SchedulePlan): Record<string, unknown> {
  const { plan, names } = sp;
  const s = plan.schedule;
  const list: Record<string, unknown>[] = [];
  const unplaced = new Set([...s.unfit.map((u) => u.task), ...s.blocked, ...s.cyclic]);
  for (let v = 0; v < tasks.tasks.length; v++) {
    if (unplaced.has(v)) continue;
    list.push({
      id: names(v),
      start_s: s.start[v],
      end_s: s.end[v],
      node_index: s.node[v],
      cores: plan.tasks.cores[v],
      memory_bytes: plan.tasks.memory[v]! * 1024 * 1024,
      ...(plan.partitions ? { partition: partitionName(plan.partitions.get(tasks.tasks[v]!.node.id)) } : {}),
    });
  }
  const b = plan.budget;
  const fin = (n: number) => (Number.isFinite(n) ? n : null);
  return {
    budget: {
      nodes: b.nodes,
      cores_per_node: fin(b.coresPerNode),
      memory_per_node_bytes: Number.isFinite(b.memoryPerNode) ? b.memoryPerNode * 1024 * 1024 : null,
      gpus_per_node: fin(b.gpusPerNode),
    },
    schedule: {
      makespan_s: s.makespan,
      core_hours: s.coreHours,
      gpu_hours: s.gpuHours,
      peak_tasks: s.peakConcurrency,
      peak_cores: s.peakCores,
      critical_path: { tasks: [...s.criticalPath.tasks].map(names), seconds: s.criticalPath.seconds },
      ends_last: s.chain.map((l) => ({
        id: names(l.task),
        start_s: l.start,
        end_s: l.end,
        waited: l.waited,
      })),
      tasks: list,
      unfit: formatUnfit(s.unfit, names),
    },
    groups: plan.rows.map((r) => ({
      group: r.group,
      tasks: r.tasks,
      cores: r.cores,
      memory_bytes: r.memory.map((m) => m * 1024 * 1024),
      runtime_s: r.runtime,
      core_hours: r.coreHours,
      gpu_hours: r.gpuHours,
    })),
    ...(plan.deadline
      ? {
          deadline: plan.deadline.ok
            ? {
                met: plan.deadline.check.met,
                deadline_s: plan.deadline.check.deadline,
                late_s: plan.deadline.check.late,
                ...(plan.deadline.check.suggestion
                  ? {
                      suggestion: {
                        nodes: plan.deadline.check.suggestion.nodes,
                        makespan_s: plan.deadline.check.suggestion.makespan,
                      },
                    }
                  : {}),
                text: plan.deadline.check.text,
              }
            : { error: plan.deadline.error.code, message: plan.deadline.error.message },
        }
      : {}),
  };
}

function partitionName(c: PartitionChoice | undefined): string | null {
  return c?.ok ? c.partition.name : null;
}

/**
 * The deadline problem as a diagnostic at `[campaign.resources] deadline`: a missed deadline
 * (by how much, the critical path, the budget that meets it), or one already past.
 */
export function deadlineDiagnostic(sp: SchedulePlan): Diagnostic | undefined {
  const d = sp.plan.deadline;
  const where = { path: ['campaign', 'resources', 'deadline'], part: 'value' as const };
  if (!d) return undefined;
  if (!d.ok) return diag(d.error.code, d.error.message, where);
  const c = d.check;
  if (c.met) return undefined;
  const cp = [...c.criticalPath.tasks].map(sp.names);
  const chain = c.chain.map((l) => sp.names(l.task));
  const said = c.hopeless ? c.text.replace(`; ${c.hopeless}`, '') : c.text;
  const why = `${said.replace(/; with nodes = .*$/, '')}; critical path ${arrow(cp)} (${formatDuration(c.criticalPath.seconds)})${chain.length > 0 ? `, ends last ${arrow(chain)}` : ''}`;
  const help = c.suggestion ? c.suggestion.text : c.hopeless;
  return diag('deadline-missed', why, where, help ? { suggestion: help } : {});
}
