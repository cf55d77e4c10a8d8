import { TASK_STATES, type TaskState } from '../../../exec/events.js';
import { shellQuote } from '../../../model/shell.js';
import { countStates, type ReportData, type RunInfo, type Usage } from '../data.js';
import { fmtHours, fmtPct, fmtSeconds, fmtTime } from '../format.js';
import { type Cell, esc, facts, raw, section, table } from '../html.js';

/** `5 succeeded, 1 failed, 1 skipped`: the states with tasks, in the usual order. */
export function countsText(counts: Readonly<Record<TaskState, number>>): string {
  const parts = TASK_STATES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'no tasks';
}

/** `0.012 used of 0.05 requested (0.038 wasted, 76%)`. */
export function usageText(used: number, requested: number): string {
  const waste = requested - used;
  return `${fmtHours(used)} used of ${fmtHours(requested)} requested (${fmtHours(waste)} wasted, ${requested > 0 ? fmtPct((100 * waste) / requested) : '-'})`;
}

function total(runs: readonly RunInfo[]): Usage {
  const sum = (f: (u: Usage) => number) => runs.reduce((s, r) => s + f(r.usage), 0);
  return {
    coreHoursUsed: sum((u) => u.coreHoursUsed),
    coreHoursRequested: sum((u) => u.coreHoursRequested),
    gbHoursUsed: sum((u) => u.gbHoursUsed),
    gbHoursRequested: sum((u) => u.gbHoursRequested),
  };
}

/** Who ran what, where, when, how it ended, and what it used against what it held. */
export function summarySection(data: ReportData): string {
  const run = data.runs[data.runs.length - 1]!;
  const counts = run.counts ?? countStates(data.tasks);
  const upToDate = data.tasks.filter((t) => t.state === 'uptodate').length;
  const attempts = data.runs.reduce((s, r) => s + r.attempts, 0);
  const retries = data.attempts.filter((a) => a.attempt > 1).length;
  const usage = total(data.runs);
  const over = data.runs.length > 1 ? ` (${data.runs.length} runs)` : '';
  const rows: [string, Cell][] = [
    ['Campaign', data.campaign],
    ['Run', data.runs.length > 1 ? `${run.id} and ${before(data.runs.length - 1)}` : run.id],
    ['Campaign file', data.file],
    ['User', run.user ?? '-'],
    ['Host', run.host ?? '-'],
  ];
  if (run.argv) rows.push(['Command line', raw(`<code>${escCode(run.argv)}</code>`)]);
  rows.push(
    ['Scheduler', `${run.scheduler ?? '-'}${run.partition ? `, partition ${run.partition}` : ''}`],
    ['Started', fmtTime(run.start)],
    ['Ended', run.end !== undefined ? fmtTime(run.end) : run.status === 'running' ? 'still running' : '-'],
    ['Wall time', run.end !== undefined ? fmtSeconds((run.end - run.start) / 1000) : '-'],
    ['Status', { cell: run.status, cls: `st-${run.status}` }],
    ['Tasks', `${countsText(counts)}${upToDate > 0 ? ` (${upToDate} up to date, not run)` : ''}`],
    ['Attempts', `${attempts}${retries > 0 ? ` (${retries} ${retries === 1 ? 'retry' : 'retries'})` : ''}`],
    [`Core-hours${over}`, usageText(usage.coreHoursUsed, usage.coreHoursRequested)],
    [`GB-hours${over}`, usageText(usage.gbHoursUsed, usage.gbHoursRequested)],
    ['Exit code', run.exitCode !== undefined ? String(run.exitCode) : '-'],
  );
  const note =
    '<p class="mute">Core-hours: CPU time used, against cores requested × wall time. GB-hours: peak memory × wall time, against memory requested × wall time (attempts with a memory request).</p>';
  return section('summary', 'Summary', `${facts('summary-table', rows)}\n${note}\n${runsTable(data)}`);
}

function before(n: number): string {
  return n === 1 ? 'the run before it' : `the ${n} runs before it`;
}

function escCode(argv: readonly string[]): string {
  return esc(argv.map(shellQuote).join(' '));
}

/** Every run of the campaign; the report's runs marked. */
function runsTable(data: ReportData): string {
  const mine = new Set(data.runs.map((r) => r.id));
  const rows = [...data.history]
    .reverse()
    .map((r): Cell[] => [
      mine.has(r.id) ? { cell: r.id, cls: 'this' } : r.id,
      fmtTime(r.start),
      r.end !== undefined ? fmtTime(r.end) : '-',
      { cell: r.status, cls: `st-${r.status}` },
      r.counts ? countsText(r.counts) : '-',
      { cell: r.attempts, cls: 'n' },
      { cell: `${fmtHours(r.usage.coreHoursUsed)} / ${fmtHours(r.usage.coreHoursRequested)}`, cls: 'n' },
      r.exitCode !== undefined ? String(r.exitCode) : '-',
    ]);
  return `<h3>Runs of this campaign</h3>\n${table('runs-table', ['run', 'started', 'ended', 'status', 'tasks', 'attempts', 'core-hours used / requested', 'exit code'], rows)}`;
}
