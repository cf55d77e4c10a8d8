import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/model/load.js';
import { resolveState } from '../../src/state/layout.js';
import { type ReportData, reportData } from '../../src/ui/report/data.js';
import { renderReport } from '../../src/ui/report/render.js';
import { formatTrace, traceRows } from '../../src/ui/trace.js';
import { Rig } from '../rig.js';
import { tableText } from './helpers.js';

/**
 * Journals as newer heads write them: each attempt's request on its `q` record (escalated
 * after an out-of-memory failure), its host on its `s` record, the user and command line on
 * the `run` record. Written by the test, so that every value is known exactly.
 */
let rig: Rig;
let data: ReportData;
let html: string;

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
const run1 = '20260102_030405_run001';
const run2 = '20260102_040000_run002';

beforeAll(async () => {
  rig = new Rig('campaign-report-fields-');
  const file = rig.write(
    'c.toml',
    `[campaign]
name = "fields"
[campaign.defaults.resources]
memory = "100M"
runtime = "1m"
[campaign.big]
command = "big --in <data>"
retries = { count = 2, on = ["oom"] }
[campaign.after]
command = "after"
depends_on = ["big"]
`,
  );
  const loaded = await loadCampaign(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.diagnostics));
  const paths = resolveState(file);
  const journal = (run: string, recs: object[]) => {
    mkdirSync(paths.run(run), { recursive: true });
    writeFileSync(paths.journal(run), recs.map((r) => `${JSON.stringify(r)}\n`).join(''));
  };
  const head = (run: string, t: number, argv: string[]) => ({
    k: 'run',
    t,
    run,
    pid: 42,
    host: 'login1',
    file,
    fid: '../../c.toml',
    campaign: 'fields',
    scheduler: 'slurm',
    sched: { type: 'slurm', partition: 'debug' },
    tasks: 2,
    sel: ['big', 'after'],
    user: 'alice',
    argv,
  });
  const counts = { pending: 0, queued: 0, running: 0, succeeded: 2, failed: 0, skipped: 0, cancelled: 0 };
  journal(run1, [
    head(run1, T0, ['campaign', 'run', 'c.toml']),
    { k: 'q', t: T0 + 100, id: 'big', a: 1, j: '700', rq: { c: 2, m: 100, rt: 60, l: 120, p: 'debug' } },
    { k: 's', t: T0 + 5_100, id: 'big', a: 1, j: '700', st: T0 + 5_100, h: 'node7' },
    {
      k: 'f',
      t: T0 + 8_100,
      id: 'big',
      a: 1,
      r: 'oom',
      msg: 'out of memory',
      sg: 'SIGKILL',
      w: 3_000,
      c: 5_000,
      m: 102_400,
      re: 0,
    },
    { k: 'q', t: T0 + 8_200, id: 'big', a: 2, j: '701', rq: { c: 2, m: 200, rt: 60, l: 120, p: 'debug' } },
    { k: 's', t: T0 + 9_200, id: 'big', a: 2, j: '701', st: T0 + 9_200, h: 'node8' },
    { k: 'ok', t: T0 + 19_200, id: 'big', a: 2, h: 'aaaa', n: 1, w: 10_000, c: 18_000, m: 153_600 },
    { k: 'q', t: T0 + 19_300, id: 'after', a: 1, j: '702', rq: { c: 1, m: 100, rt: 60, l: 120, p: 'debug' } },
    { k: 's', t: T0 + 20_300, id: 'after', a: 1, j: '702', st: T0 + 20_300, h: 'node7' },
    { k: 'ok', t: T0 + 22_300, id: 'after', a: 1, h: 'bbbb', n: 2, w: 2_000, c: 1_000, m: 10_240 },
    { k: 'end', t: T0 + 22_400, status: 'succeeded', counts },
  ]);
  const T1 = T0 + 3_600_000;
  journal(run2, [
    head(run2, T1, ['campaign', 'run', 'c.toml', '--only', 'big', '--force']),
    { k: 'q', t: T1 + 100, id: 'big', a: 1, j: '800', rq: { c: 2, m: 200, rt: 60, l: 120, p: 'debug' } },
    { k: 's', t: T1 + 600, id: 'big', a: 1, j: '800', st: T1 + 600, h: 'node9' },
    { k: 'ok', t: T1 + 12_600, id: 'big', a: 1, h: 'aaaa', n: 3, w: 12_000, c: 20_000, m: 163_840 },
    {
      k: 'end',
      t: T1 + 12_700,
      status: 'succeeded',
      counts: { ...counts, succeeded: 2 },
    },
  ]);
  const built = reportData({ file, loaded: loaded.value, paths }, { run: 'run001', now: T1 });
  if (!built.ok) throw new Error(built.message);
  data = built.data;
  html = renderReport(data);
});
afterAll(() => rig?.cleanup());

describe('optional journal fields', () => {
  it("the trace carries each attempt's recorded request, host, job id and times exactly", () => {
    expect(formatTrace(traceRows(data), 'tsv').replaceAll(rig.dir, '<dir>')).toBe(
      [
        'task\tnode\tinstance\tattempt\trun\tstate\tfailure\texit_code\tsignal\tjob_id\thost\tsubmit\tstart\tend\tqueue_wait_s\twall_s\tcpu_s\tcpu_pct\tpeak_rss_bytes\treq_cores\treq_memory_bytes\treq_gpus\treq_runtime_s\tlimit_s\tpartition',
        `big\tbig\t\t1\t${run1}\tfailed\toom\t\tSIGKILL\t700\tnode7\t2026-01-02T03:04:05.100Z\t2026-01-02T03:04:10.100Z\t2026-01-02T03:04:13.100Z\t5\t3\t5\t166.7\t104857600\t2\t104857600\t0\t60\t120\tdebug`,
        `big\tbig\t\t2\t${run1}\tsucceeded\t\t\t\t701\tnode8\t2026-01-02T03:04:13.200Z\t2026-01-02T03:04:14.200Z\t2026-01-02T03:04:24.200Z\t1\t10\t18\t180\t157286400\t2\t209715200\t0\t60\t120\tdebug`,
        `after\tafter\t\t1\t${run1}\tsucceeded\t\t\t\t702\tnode7\t2026-01-02T03:04:24.300Z\t2026-01-02T03:04:25.300Z\t2026-01-02T03:04:27.300Z\t1\t2\t1\t50\t10485760\t1\t104857600\t0\t60\t120\tdebug`,
        '',
      ].join('\n'),
    );
  });

  it('the summary names the user and the command line; the retry chain shows the escalation', () => {
    const rows = tableText(html, 'summary-table');
    expect(rows.slice(0, 12)).toEqual([
      'Campaign | fields',
      'Run | 20260102_030405_run001',
      `Campaign file | ${rig.path('c.toml')}`,
      'User | alice',
      'Host | login1',
      'Command line | campaign run c.toml',
      'Scheduler | slurm, partition debug',
      'Started | 2026-01-02T03:04:05Z',
      'Ended | 2026-01-02T03:04:27Z',
      'Wall time | 22.4 s',
      'Status | succeeded',
      'Tasks | 2 succeeded',
    ]);
    // Cores x wall: 2 x 3 s + 2 x 10 s + 1 x 2 s = 28 core-seconds; CPU 24 s.
    expect(rows[13]).toBe('Core-hours | 0.0067 used of 0.0078 requested (0.0011 wasted, 14%)');
    expect(rows[12]).toBe('Attempts | 3 (1 retry)');
    expect(rows[15]).toBe('Exit code | 0');
    expect(tableText(html, 'retries-table')).toEqual([
      'task | attempt | outcome | exit code | message | request | wall | peak memory',
      'big | 1 | oom (retried) | SIGKILL | out of memory | 2 cores, 100 MiB, runtime 1m, limit 2m, partition debug | 3.00 s | 100 MiB',
      '2 | succeeded | - | - | ↑ 2 cores, 200 MiB, runtime 1m, limit 2m, partition debug | 10.0 s | 150 MiB',
    ]);
    expect(html).toContain('<path class="b k-oom" d="M');
  });

  it("resources against each attempt's own request; the critical path follows the dependency", () => {
    expect(tableText(html, 'resources-memory').slice(1)).toEqual([
      'node | big | 1 | 200 MiB | 150 MiB (75%) | 150 MiB (75%) | 150 MiB (75%) | 150 MiB (75%) | 0.00014',
      'node | after | 1 | 100 MiB | 10.0 MiB (10%) | 10.0 MiB (10%) | 10.0 MiB (10%) | 10.0 MiB (10%) | 0.000049',
    ]);
    expect(tableText(html, 'resources-cpu').slice(1)).toEqual([
      'node | big | 1 | 2 | 1.80 (90%) | 1.80 (90%) | 1.80 (90%) | 1.80 (90%) | 0.00056',
      'node | after | 1 | 1 | 0.50 (50%) | 0.50 (50%) | 0.50 (50%) | 0.50 (50%) | 0.00028',
    ]);
    expect(tableText(html, 'right-size')).toEqual([
      'node | samples | cores | memory | runtime | saves core-hours | saves GB-hours',
      'big | 1 | 2 → 3 | 200 MiB → 180 MiB | 1m → 1m | 0 | 0',
      'after | 1 | 1 → 1 | 100 MiB → 12.0 MiB | 1m → 1m | 0 | 0',
    ]);
    expect(html).toMatch(
      /<p id="critical-path"><strong>Critical path<\/strong> \(2 tasks: the chain of dependencies that took longest, 16\.1 s of the run's 22\.4 s\): <code>big<\/code> → <code>after<\/code><\/p>/,
    );
  });

  it('the next run: forced by --force, compared with the run before', () => {
    const paths = resolveState(rig.path('c.toml'));
    return loadCampaign(rig.path('c.toml')).then((loaded) => {
      if (!loaded.ok) throw new Error('load');
      const built = reportData({ file: rig.path('c.toml'), loaded: loaded.value, paths }, { now: T0 });
      if (!built.ok) throw new Error(built.message);
      const page = renderReport(built.data);
      expect(tableText(page, 'reruns-table')).toEqual(['task | why', 'big | forced (--force)']);
      expect(tableText(page, 'changes-tasks')).toEqual([
        'task | wall before | wall now | change | peak before | peak now | change',
        'big | 10.0 s | 12.0 s | +20% | 150 MiB | 160 MiB | +7%',
      ]);
      expect(tableText(page, 'dag-table').slice(1)).toEqual([
        'big | - | - | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0',
        'after | - | big | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0',
      ]);
      expect(tableText(page, 'summary-table')[5]).toBe(
        'Command line | campaign run c.toml --only big --force',
      );
    });
  });
});
