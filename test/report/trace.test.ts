import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell, formatTrace, TRACE_COLUMNS, type TraceRow, tsvCell } from '../../src/ui/trace.js';
import { TASK } from '../engine/helpers.js';
import { Rig } from '../rig.js';
import { campaign, twoRuns } from './helpers.js';

/** `campaign trace` of two real runs, in TSV, CSV and JSON, with what varies masked. */
let rig: Rig;
beforeAll(() => {
  rig = new Rig('campaign-trace-');
  twoRuns(rig, TASK);
});
afterAll(() => rig?.cleanup());

const HEAD =
  'task node instance attempt run state failure exit_code signal job_id host submit start end queue_wait_s wall_s cpu_s cpu_pct peak_rss_bytes req_cores req_memory_bytes req_gpus req_runtime_s limit_s partition';
const MEASURED = ['queue_wait_s', 'wall_s', 'cpu_s', 'cpu_pct', 'peak_rss_bytes'];

/** The expected rows of the first run, sorted by task and attempt, with what varies masked. */
const RUN1 = [
  'bad bad - 1 RUN001 failed failed 3 - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'flaky flaky - 1 RUN001 failed failed 1 - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'flaky flaky - 2 RUN001 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'prep prep - 1 RUN001 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'sims.gen[0] sims.gen 0 1 RUN001 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'sims.gen[1] sims.gen 1 1 RUN001 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'sims.gen[2] sims.gen 2 1 RUN001 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
  'slow slow - 1 RUN001 failed timeout - SIGTERM PID HOST TIME TIME TIME N N N N N 2 1073741824 0 60 1 -',
];

/** Masks one row's cells (split already) into the space-joined form of RUN1. */
function maskCells(cells: string[]): string {
  return TRACE_COLUMNS.map((c, i) => {
    const v = cells[i]!;
    if (v === '') return '-';
    if (c === 'run') return v.replace(/^\d{8}_\d{6}_run(\d+)$/, 'RUN$1');
    if (c === 'job_id') return /^\d+$/.test(v) ? 'PID' : v;
    if (c === 'host') return v === hostname() ? 'HOST' : v;
    if (c === 'submit' || c === 'start' || c === 'end')
      return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v) ? 'TIME' : v;
    if (MEASURED.includes(c)) return /^\d+(\.\d+)?$/.test(v) ? 'N' : v;
    return v;
  }).join(' ');
}

/** Rows in the order printed must be in the order handed over. */
function expectSubmitOrder(rows: string[][]): void {
  const submits = rows.map((r) => r[TRACE_COLUMNS.indexOf('submit')]!);
  expect(submits).toEqual([...submits].sort());
}

const byTask = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('campaign trace', () => {
  it('TSV (the default): one row per attempt, every column', () => {
    const r = campaign(rig, ['trace', 'c.toml', '--run', 'run001']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]!.split('\t').join(' ')).toBe(HEAD);
    const rows = lines.slice(1).map((l) => l.split('\t'));
    for (const row of rows) expect(row).toHaveLength(TRACE_COLUMNS.length);
    expectSubmitOrder(rows);
    expect(rows.map(maskCells).sort(byTask)).toEqual(RUN1);
    // Queue wait is start - submit; the CPU share is CPU over wall.
    for (const row of rows) {
      const v = (c: (typeof TRACE_COLUMNS)[number]) => row[TRACE_COLUMNS.indexOf(c)]!;
      const wait = (Date.parse(v('start')) - Date.parse(v('submit'))) / 1000;
      expect(Number(v('queue_wait_s'))).toBeCloseTo(wait, 3);
      expect(Number(v('cpu_pct'))).toBeCloseTo((100 * Number(v('cpu_s'))) / Number(v('wall_s')), -0.5);
    }
    const prep = rows.find((row) => row[0] === 'prep')!;
    expect(Number(prep[TRACE_COLUMNS.indexOf('peak_rss_bytes')])).toBeGreaterThan(50 * 2 ** 20);
  });

  it('CSV: RFC 4180, CRLF line ends; the latest run without --run', () => {
    const r = campaign(rig, ['trace', 'c.toml', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\r\n')).toBe(true);
    const lines = r.stdout.slice(0, -2).split('\r\n');
    expect(lines[0]).toBe(HEAD.replaceAll(' ', ','));
    const rows = lines.slice(1).map((l) => l.split(','));
    expectSubmitOrder(rows);
    expect(rows.map(maskCells).sort(byTask)).toEqual(
      [
        'bad bad - 1 RUN002 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
        'flaky flaky - 1 RUN002 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
        'post post - 1 RUN002 succeeded - - - PID HOST TIME TIME TIME N N N N N 1 209715200 0 60 120 -',
        ...RUN1.filter((l) => /^(prep|sims)/.test(l)).map((l) => l.replace('RUN001', 'RUN002')),
        RUN1[7]!.replace('RUN001', 'RUN002'),
      ].sort(byTask),
    );
  });

  it('JSON: the same columns as keys, numbers as numbers, absent values null; --all-runs has both runs', () => {
    const r = campaign(rig, ['trace', 'c.toml', '--format', 'json', '--all-runs']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(16);
    for (const row of rows) expect(Object.keys(row)).toEqual([...TRACE_COLUMNS]);
    const slow = rows.find((x) => x.task === 'slow' && String(x.run).endsWith('run001'))!;
    expect({ ...slow, run: 'RUN', job_id: 'PID', submit: 'T', start: 'T', end: 'T' }).toEqual({
      task: 'slow',
      node: 'slow',
      instance: null,
      attempt: 1,
      run: 'RUN',
      state: 'failed',
      failure: 'timeout',
      exit_code: null,
      signal: 'SIGTERM',
      job_id: 'PID',
      host: hostname(),
      submit: 'T',
      start: 'T',
      end: 'T',
      queue_wait_s: slow.queue_wait_s,
      wall_s: slow.wall_s,
      cpu_s: slow.cpu_s,
      cpu_pct: slow.cpu_pct,
      peak_rss_bytes: slow.peak_rss_bytes,
      req_cores: 2,
      req_memory_bytes: 1073741824,
      req_gpus: 0,
      req_runtime_s: 60,
      limit_s: 1,
      partition: null,
    });
    for (const k of MEASURED) expect(typeof slow[k]).toBe('number');
    // Timed out after its 1 s limit: the wall time says so.
    expect(slow.wall_s as number).toBeGreaterThanOrEqual(1);
    expect(rows.filter((x) => String(x.run).endsWith('run002'))).toHaveLength(8);
  });

  it('a bad --format is a usage error', () => {
    const r = campaign(rig, ['trace', 'c.toml', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('campaign: --format must be one of tsv, csv, json, not "xml"\n');
  });
});

describe('trace cells', () => {
  it('CSV quotes a field with a comma, quote, CR or LF and doubles its quotes (RFC 4180)', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', '', 42, null].map(csvCell)).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '"cr\rhere"',
      '',
      '42',
      '',
    ]);
  });

  it('TSV writes tabs, newlines, carriage returns and backslashes as escapes', () => {
    expect(['a\tb', 'two\nlines', 'cr\r', 'back\\slash', 7, null].map(tsvCell)).toEqual([
      'a\\tb',
      'two\\nlines',
      'cr\\r',
      'back\\\\slash',
      '7',
      '',
    ]);
  });

  it('a whole row with awkward values in each format', () => {
    const row = Object.fromEntries(TRACE_COLUMNS.map((c) => [c, null])) as TraceRow;
    row.task = 'n[a,"b"]';
    row.host = 'h\tx';
    row.attempt = 1;
    expect(formatTrace([row], 'csv').split('\r\n')[1]).toBe(`"n[a,""b""]",,,1,,,,,,,h\tx${','.repeat(14)}`);
    expect(formatTrace([row], 'tsv').split('\n')[1]).toBe(
      `n[a,"b"]\t\t\t1\t\t\t\t\t\t\th\\tx${'\t'.repeat(14)}`,
    );
    expect(JSON.parse(formatTrace([row], 'json'))).toEqual([row]);
  });
});
