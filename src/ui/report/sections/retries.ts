import { wallOf } from '../attempts.js';
import type { ReportAttempt, ReportData, Request } from '../data.js';
import { fmtBytes, fmtMiB, fmtSeconds } from '../format.js';
import { type Cell, para, section, table } from '../html.js';

/** `2 cores, 512 MiB, runtime 1m, limit 2m, partition debug`. */
export function requestText(r: Request): string {
  const parts: string[] = [];
  if (r.cores !== undefined) parts.push(`${r.cores} core${r.cores === 1 ? '' : 's'}`);
  if (r.memoryMiB !== undefined) parts.push(fmtMiB(r.memoryMiB));
  if (r.gpus) parts.push(`${r.gpus} GPU${r.gpus === 1 ? '' : 's'}`);
  if (r.runtime !== undefined) parts.push(`runtime ${fmtSeconds(r.runtime)}`);
  if (r.limit !== undefined) parts.push(`limit ${fmtSeconds(r.limit)}`);
  if (r.partition !== undefined) parts.push(`partition ${r.partition}`);
  return parts.length > 0 ? parts.join(', ') : '-';
}

function sameRequest(a: Request, b: Request): boolean {
  return (
    a.cores === b.cores &&
    a.memoryMiB === b.memoryMiB &&
    a.gpus === b.gpus &&
    a.runtime === b.runtime &&
    a.limit === b.limit &&
    a.partition === b.partition
  );
}

/** What an attempt came to: `succeeded`, or its failure kind. */
export function outcomeText(a: ReportAttempt): string {
  if (a.state !== 'failed') return a.state;
  return a.retryIn !== undefined ? `${a.failure ?? 'failed'} (retried)` : (a.failure ?? 'failed');
}

/** Every task with more than one attempt: each attempt's failure kind and request. */
export function retriesSection(data: ReportData): string {
  const retried = data.tasks.filter((t) => t.attempts.length > 1);
  if (retried.length === 0) return section('retries', 'Retry chains', para('No task was retried.'));
  const multi = data.runs.length > 1;
  const rows: Cell[][] = [];
  for (const t of retried) {
    t.attempts.forEach((a, i) => {
      const prev = t.attempts[i - 1];
      const escalated = prev !== undefined && !sameRequest(prev.req, a.req);
      const wall = wallOf(a);
      const row: Cell[] = [];
      if (i === 0) row.push({ cell: t.id, span: t.attempts.length });
      row.push(
        { cell: a.attempt, cls: 'n' },
        ...(multi ? [a.run] : []),
        { cell: outcomeText(a), cls: `st-${a.state}` },
        a.exitCode !== undefined ? { cell: a.exitCode, cls: 'n' } : a.signal ? a.signal : '-',
        a.message ?? '-',
        `${escalated ? '↑ ' : ''}${requestText(a.req)}${a.req.recorded ? '' : ' (declared)'}`,
        wall !== undefined ? { cell: fmtSeconds(wall / 1000), cls: 'n' } : '-',
        a.peakKiB !== undefined ? { cell: fmtBytes(a.peakKiB * 1024), cls: 'n' } : '-',
      );
      rows.push(row);
    });
  }
  const head = [
    'task',
    'attempt',
    ...(multi ? ['run'] : []),
    'outcome',
    'exit code',
    'message',
    'request',
    'wall',
    'peak memory',
  ];
  return section(
    'retries',
    'Retry chains',
    `<p class="mute">${retried.length} task${retried.length === 1 ? '' : 's'} with more than one attempt. ↑ marks a request changed from the attempt before (escalation); "(declared)" a request the journal did not record, taken from the campaign file.</p>\n${table('retries-table', head, rows)}`,
  );
}
