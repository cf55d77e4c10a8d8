import type { TaskState } from '../exec/events.js';
import type { Campaign } from '../model/campaign.js';
import { describeHolder, type LockHolder } from '../state/lock.js';
import { type AttemptView, usageLine } from './status-attempts.js';

/** One task's state as `status` shows it. */
export interface TaskView {
  readonly id: string;
  readonly node: string;
  readonly state: TaskState;
  readonly attempt: number;
  readonly run?: string;
  readonly failure?: string;
  readonly message?: string;
  readonly log?: string;
  /** Where its latest attempt runs or ran: `pid 4242`, `job 153_0`. */
  readonly where?: string;
  /** Every recorded attempt, oldest first (`status --json`; the text shows the latest's use). */
  readonly attempts?: readonly AttemptView[];
}

/** The latest attempt's use against its request, if anything of either is recorded. */
function usage(t: TaskView, now?: number): string {
  const last = t.attempts?.[t.attempts.length - 1];
  return last && last.n === t.attempt ? usageLine(last, now) : '';
}

const COLUMNS: readonly TaskState[] = [
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'running',
  'queued',
  'pending',
];

export type Counts = Record<TaskState, number>;

export function emptyCounts(): Counts {
  return { pending: 0, queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
}

/** Per-subcampaign rows: each top-level node or group, and the groups inside, with their tasks' states. */
export function statusRows(
  campaign: Campaign,
  tasks: readonly TaskView[],
): { label: string; counts: Counts; total: number }[] {
  const byNode = new Map<string, TaskView[]>();
  for (const t of tasks) {
    const list = byNode.get(t.node);
    if (list) list.push(t);
    else byNode.set(t.node, [t]);
  }
  const rows: { label: string; counts: Counts; total: number }[] = [];
  const visit = (id: string, depth: number): Counts => {
    const node = campaign.nodes.get(id)!;
    const counts = emptyCounts();
    const index = rows.length;
    if (depth <= 1 || node.kind === 'group')
      rows.push({
        label: `${'  '.repeat(depth)}${node.name}${node.kind === 'group' ? '/' : ''}`,
        counts,
        total: 0,
      });
    if (node.kind === 'task') for (const t of byNode.get(id) ?? []) counts[t.state]++;
    else {
      for (const c of node.children) {
        const sub = visit(c, depth + 1);
        for (const s of COLUMNS) counts[s] += sub[s];
      }
    }
    const row = rows[index];
    if (row && row.counts === counts) row.total = COLUMNS.reduce((a, s) => a + counts[s], 0);
    return counts;
  };
  for (const r of campaign.roots) visit(r, 0);
  return rows;
}

/** The line above the table: the campaign, its last run, and the head running it now. */
export function statusHeader(
  campaign: string,
  last: { readonly id: string; readonly status: string } | undefined,
  live: LockHolder | undefined,
): string {
  return `campaign ${campaign}: ${last ? `last run ${last.id} (${last.status})` : 'not run yet'}${
    live ? `; running now (${describeHolder(live)})` : ''
  }`;
}

/** The `status` table; `now` gives running attempts their wall time so far. */
export function formatStatus(
  campaign: Campaign,
  header: string,
  tasks: readonly TaskView[],
  now?: number,
): string {
  const rows = statusRows(campaign, tasks);
  const totals = emptyCounts();
  for (const t of tasks) totals[t.state]++;
  rows.push({ label: 'total', counts: totals, total: tasks.length });
  const width = Math.max(11, ...rows.map((r) => r.label.length));
  const head = ['SUBCAMPAIGN'.padEnd(width), 'TASKS', ...COLUMNS.map((c) => c.toUpperCase())];
  const widths = head.map((h) => h.length);
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(widths[i]!))).join('  ');
  const out = [header, '', line(head)];
  for (const r of rows)
    out.push(line([r.label, String(r.total), ...COLUMNS.map((c) => String(r.counts[c]))]));
  // Where the unfinished work is: pids locally, job ids on a cluster.
  const active = tasks.filter((t) => t.state === 'running' || t.state === 'queued');
  if (active.length > 0) {
    out.push('', `${active.length} task${active.length === 1 ? '' : 's'} not finished:`);
    const shown = active.slice(0, ACTIVE_LIMIT);
    const cells = shown.map((t) => [t.id, t.state, t.where ?? '', usage(t, now)]);
    const w = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
    for (const c of cells)
      out.push(
        `  ${c
          .map((x, i) => (i < 3 ? x.padEnd(w[i]!) : x))
          .join('  ')
          .trimEnd()}`,
      );
    if (active.length > ACTIVE_LIMIT)
      out.push(`  … and ${active.length - ACTIVE_LIMIT} more (status --json lists all)`);
  }
  return `${out.join('\n')}\n`;
}

const ACTIVE_LIMIT = 20;

/** What a failed attempt used against what it asked for; nothing when it used nothing recorded. */
function usageOf(t: TaskView): string {
  const last = t.attempts?.[t.attempts.length - 1];
  return last?.used && last.n === t.attempt ? usageLine(last) : '';
}

/** `status --failed`: each failed task with its reason, its use against its request, and its log. */
export function formatFailures(tasks: readonly TaskView[]): string {
  const failed = tasks.filter(
    (t) => t.state === 'failed' || t.state === 'skipped' || t.state === 'cancelled',
  );
  if (failed.length === 0) return 'no failed tasks\n';
  return failed
    .map((t) => {
      const why = t.message ?? t.failure ?? t.state;
      const used = t.state === 'skipped' ? '' : usageOf(t);
      return `${t.id}  ${t.state}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''}: ${why}${used ? `\n  used: ${used}` : ''}${t.log ? `\n  log: ${t.log}` : ''}`;
    })
    .join('\n')
    .concat('\n');
}
