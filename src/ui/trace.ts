import { wallOf } from './report/attempts.js';
import type { ReportAttempt, ReportData } from './report/data.js';
import { isoMs } from './report/format.js';

export type TraceFormat = 'tsv' | 'csv' | 'json';
export const TRACE_FORMATS: readonly TraceFormat[] = ['tsv', 'csv', 'json'];

/** One attempt's row; absent values are null (empty in TSV and CSV). */
export type TraceRow = Record<(typeof TRACE_COLUMNS)[number], string | number | null>;

/** The trace's columns, in order; documented in docs/cli.md and kept stable. */
export const TRACE_COLUMNS = [
  'task',
  'node',
  'instance',
  'attempt',
  'run',
  'state',
  'failure',
  'exit_code',
  'signal',
  'job_id',
  'host',
  'submit',
  'start',
  'end',
  'queue_wait_s',
  'wall_s',
  'cpu_s',
  'cpu_pct',
  'peak_rss_bytes',
  'req_cores',
  'req_memory_bytes',
  'req_gpus',
  'req_runtime_s',
  'limit_s',
  'partition',
] as const;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The rows of a trace: one per attempt, in the order they were handed over. */
export function traceRows(data: ReportData): TraceRow[] {
  return data.attempts.map(row);
}

function row(a: ReportAttempt): TraceRow {
  const wall = wallOf(a);
  const r = a.req;
  return {
    task: a.task,
    node: a.node,
    instance: a.instance ?? null,
    attempt: a.attempt,
    run: a.run,
    state: a.state,
    failure: a.failure ?? null,
    exit_code: a.exitCode ?? null,
    signal: a.signal ?? null,
    job_id: a.jobId ?? null,
    host: a.host ?? null,
    submit: a.submit !== undefined ? isoMs(a.submit) : null,
    start: a.start !== undefined ? isoMs(a.start) : null,
    end: a.end !== undefined ? isoMs(a.end) : null,
    queue_wait_s:
      a.submit !== undefined && a.start !== undefined ? round3(Math.max(0, a.start - a.submit) / 1000) : null,
    wall_s: wall !== undefined ? round3(wall / 1000) : null,
    cpu_s: a.cpuMs !== undefined ? round3(a.cpuMs / 1000) : null,
    cpu_pct: a.cpuMs !== undefined && wall ? Math.round((1000 * a.cpuMs) / wall) / 10 : null,
    peak_rss_bytes: a.peakKiB !== undefined ? a.peakKiB * 1024 : null,
    req_cores: r.cores ?? null,
    req_memory_bytes: r.memoryMiB !== undefined ? r.memoryMiB * 1024 * 1024 : null,
    req_gpus: r.gpus ?? null,
    req_runtime_s: r.runtime ?? null,
    limit_s: r.limit ?? null,
    partition: r.partition ?? null,
  };
}

/** The trace as text: TSV (tabs, newlines and backslashes escaped), CSV (RFC 4180) or JSON. */
export function formatTrace(rows: readonly TraceRow[], format: TraceFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const cell = format === 'csv' ? csvCell : tsvCell;
  const sep = format === 'csv' ? ',' : '\t';
  const eol = format === 'csv' ? '\r\n' : '\n';
  const lines = [TRACE_COLUMNS.join(sep), ...rows.map((r) => TRACE_COLUMNS.map((c) => cell(r[c])).join(sep))];
  return lines.join(eol) + eol;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** TSV: backslash, tab, newline and carriage return written as `\\`, `\t`, `\n`, `\r`. */
export function tsvCell(v: string | number | null): string {
  if (v === null) return '';
  return String(v).replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c]!);
}

const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
