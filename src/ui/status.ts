import type { TaskState } from '../exec/events.js';
import type { Campaign } from '../model/campaign.js';

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
  readonly where?: string;
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

/** The `status` table. */
export function formatStatus(campaign: Campaign, header: string, tasks: readonly TaskView[]): string {
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
    for (const t of active.slice(0, ACTIVE_LIMIT))
      out.push(`  ${t.id}  ${t.state}${t.where ? `  ${t.where}` : ''}`);
    if (active.length > ACTIVE_LIMIT)
      out.push(`  … and ${active.length - ACTIVE_LIMIT} more (status --json lists all)`);
  }
  return `${out.join('\n')}\n`;
}

const ACTIVE_LIMIT = 20;

/** `status --failed`: each failed task with its reason and the path of its log. */
export function formatFailures(tasks: readonly TaskView[]): string {
  const failed = tasks.filter(
    (t) => t.state === 'failed' || t.state === 'skipped' || t.state === 'cancelled',
  );
  if (failed.length === 0) return 'no failed tasks\n';
  return failed
    .map((t) => {
      const why = t.message ?? t.failure ?? t.state;
      return `${t.id}  ${t.state}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''}: ${why}${t.log ? `\n  log: ${t.log}` : ''}`;
    })
    .join('\n')
    .concat('\n');
}
