import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK } from '../engine/helpers.js';
import { Rig } from '../rig.js';
import { bars, campaign, tableRows, tableText, text, twoRuns } from './helpers.js';

/** `campaign report` of two real runs: the tables' exact content, with measured amounts masked. */
let rig: Rig;
let r1: string;
let r2: string;
let state: string;
/** The attempts of each run, from `campaign trace --format json` (asserted in trace.test.ts). */
let trace1: Row[];
let trace2: Row[];

type Row = Record<string, string | number | null>;

beforeAll(() => {
  rig = new Rig('campaign-report-');
  twoRuns(rig, TASK);
  const report = (run: string, out: string) => {
    const r = campaign(rig, ['report', 'c.toml', '--run', run, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^report of run \\d{8}_\\d{6}_${run} \\(failed\\): ${rig.path(out)} \\(\\d+ KiB\\)\\n$`),
    );
    return rig.read(out);
  };
  r1 = report('run001', 'r1.html');
  r2 = report('run002', 'r2.html');
  state = rig.path('.campaign/c');
  const json = (run: string) =>
    JSON.parse(campaign(rig, ['trace', 'c.toml', '--run', run, '--format', 'json']).stdout);
  trace1 = json('run001');
  trace2 = json('run002');
});
afterAll(() => rig?.cleanup());

const RUN = /\d{8}_\d{6}_run(\d+)/g;
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g;
const HOURS = /[\d.e-]+ used of [\d.e-]+ requested \([\d.e-]+ wasted, <?\d+%\)/;
const mask = (s: string) =>
  s
    .replaceAll(rig.dir, '<dir>')
    .replace(RUN, 'RUN$1')
    .replace(TIME, 'TIME')
    .replace(HOURS, 'U used of R requested (W wasted, P%)')
    .replace(/^Wall time \| \d+\.\d+ s$/, 'Wall time | N s');
/** A measured amount in a cell: `0.23 s`, `2.03 MiB (1%)`. */
const measured = (s: string) =>
  s.replace(/^\d+(\.\d+)? (s|KiB|MiB)( \(<?\d+%\))?$/, 'N $2$3').replace(/\(<?\d+%\)/, '(P%)');
const sum = (rows: Row[], f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0);
/** Two significant digits, as the report prints small amounts. */
const sig2 = (x: number) => Number(x.toPrecision(2)).toString();

describe('campaign report', () => {
  it('the summary says what ran, who ran it, where, when, how it ended and what it used', () => {
    const rows = tableText(r1, 'summary-table', mask);
    expect(rows).toEqual([
      'Campaign | rep',
      'Run | RUN001',
      'Campaign file | <dir>/c.toml',
      `User | ${userInfo().username}`,
      `Host | ${hostname()}`,
      'Command line | campaign run c.toml --cores 2 --ui plain',
      'Scheduler | local',
      'Started | TIME',
      'Ended | TIME',
      'Wall time | N s',
      'Status | failed',
      'Tasks | 5 succeeded, 2 failed, 1 skipped',
      'Attempts | 8 (1 retry)',
      'Core-hours | U used of R requested (W wasted, P%)',
      'GB-hours | U used of R requested (W wasted, P%)',
      'Exit code | 1',
    ]);
    // Core-hours: CPU time against cores x wall; GB-hours: peak x wall against request x wall.
    const wall = (r: Row) => (r.wall_s as number) / 3600;
    const cores = text(tableRows(r1, 'summary-table')[13]![1]!);
    expect(cores).toBe(
      `${sig2(sum(trace1, (r) => (r.cpu_s as number) / 3600))} used of ${sig2(sum(trace1, (r) => (r.req_cores as number) * wall(r)))} requested (${sig2(sum(trace1, (r) => (r.req_cores as number) * wall(r) - (r.cpu_s as number) / 3600))} wasted, ${Math.round((100 * sum(trace1, (r) => (r.req_cores as number) * wall(r) - (r.cpu_s as number) / 3600)) / sum(trace1, (r) => (r.req_cores as number) * wall(r)))}%)`,
    );
    const gb = (bytes: number) => bytes / 1024 ** 3;
    const gbUsed = sum(trace1, (r) => gb(r.peak_rss_bytes as number) * wall(r));
    const gbReq = sum(trace1, (r) => gb(r.req_memory_bytes as number) * wall(r));
    expect(text(tableRows(r1, 'summary-table')[14]![1]!)).toMatch(
      new RegExp(`^${sig2(gbUsed)} used of ${sig2(gbReq)} requested \\(`),
    );
  });

  it("the runs table lists every run of the campaign, newest first, the report's own marked", () => {
    const runs = tableText(r2, 'runs-table', mask).map((r) =>
      r.replace(/\| [\d.e-]+ \/ [\d.e-]+ \|/, '| U / R |'),
    );
    expect(runs).toEqual([
      'run | started | ended | status | tasks | attempts | core-hours used / requested | exit code',
      'RUN002 | TIME | TIME | failed | 7 succeeded, 1 failed | 8 | U / R | 1',
      'RUN001 | TIME | TIME | failed | 5 succeeded, 2 failed, 1 skipped | 8 | U / R | 1',
    ]);
    expect(r2).toMatch(/<td class="this">\d{8}_\d{6}_run002<\/td>/);
  });

  it('retry chains list every attempt of a retried task with its failure kind and request', () => {
    const rows = tableRows(r1, 'retries-table').map((r) => r.map(measured).join(' | '));
    expect(rows).toEqual([
      'task | attempt | outcome | exit code | message | request | wall | peak memory',
      'flaky | 1 | failed (retried) | 1 | exit code 1 | 1 core, 200 MiB, runtime 1m, limit 2m | N s | N MiB',
      '2 | succeeded | - | - | 1 core, 200 MiB, runtime 1m, limit 2m | N s | N MiB',
    ]);
    expect(r1).toContain('<td rowspan="2">flaky</td>');
    expect(text(r2.slice(r2.indexOf('<section id="retries">')))).toMatch(
      /^Retry chains No task was retried\./,
    );
  });

  it('resources: min, median, p95 and max per node and group, raw and as % of the request, biggest waste first', () => {
    for (const id of ['resources-memory', 'resources-cpu', 'resources-wall']) {
      const rows = tableRows(r2, id);
      expect(rows[0]!.slice(0, 8)).toEqual([
        'scope',
        'id',
        'samples',
        'requested',
        'min',
        'median',
        'p95',
        'max',
      ]);
      // Every node with a success, and the group: slow never succeeded.
      expect(
        rows
          .slice(1)
          .map((r) => `${r[0]} ${r[1]} ${r[2]}`)
          .sort(),
      ).toEqual([
        'group sims 3',
        'node bad 1',
        'node flaky 1',
        'node post 1',
        'node prep 1',
        'node sims.gen 3',
      ]);
      const waste = rows.slice(1).map((r) => Number(r[8]));
      expect(waste).toEqual([...waste].sort((a, b) => b - a));
    }
    const mem = Object.fromEntries(tableRows(r2, 'resources-memory').map((r) => [r[1], r]));
    const prep = trace2.find((r) => r.task === 'prep')!;
    const peak = (prep.peak_rss_bytes as number) / 2 ** 20;
    expect(peak).toBeGreaterThan(50);
    const cell = `${peak >= 100 ? peak.toFixed(0) : peak.toFixed(1)} MiB (${Math.round(peak / 2)}%)`;
    expect(mem.prep).toEqual(['node', 'prep', '1', '200 MiB', cell, cell, cell, cell, mem.prep![8]]);
    // The group's distribution is its node's: the same three attempts.
    expect(mem.sims!.slice(2)).toEqual(mem['sims.gen']!.slice(2));
    const cpu = Object.fromEntries(tableRows(r2, 'resources-cpu').map((r) => [r[1], r]));
    const used = (prep.cpu_s as number) / (prep.wall_s as number);
    expect(cpu.prep![4]).toMatch(
      // cpu_s and wall_s are rounded to the ms, the report divides the unrounded values.
      new RegExp(
        `^(${(used - 0.01).toFixed(2)}|${used.toFixed(2)}|${(used + 0.01).toFixed(2)}) \\((${Math.round(used * 100) - 1}|${Math.round(used * 100)}|${Math.round(used * 100) + 1})%\\)$`,
      ),
    );
    const wall = Object.fromEntries(tableRows(r2, 'resources-wall').map((r) => [r[1], r]));
    expect(wall.prep!.slice(2, 4)).toEqual(['1', '1m']);
  });

  it('right-size: observed maximum plus 20%, rounded up; a node without a success keeps its request', () => {
    const rows = Object.fromEntries(tableRows(r2, 'right-size').map((r) => [r[0], r.join(' | ')]));
    const peakMiB = (task: string) =>
      (trace2.find((r) => r.task === task)!.peak_rss_bytes as number) / 2 ** 20;
    const up = (mib: number) => Math.ceil(Math.round(mib * 1.2 * 1e6) / 1e6);
    const fmt = (mib: number) =>
      `${mib >= 100 ? mib.toFixed(0) : mib >= 10 ? mib.toFixed(1) : mib.toFixed(2)} MiB`;
    expect(rows.prep).toMatch(
      new RegExp(`^prep \\| 1 \\| 1 → 1 \\| 200 MiB → ${fmt(up(peakMiB('prep')))} \\| 1m → 1m \\| 0 \\| 0$`),
    );
    const genMax =
      Math.max(...trace2.filter((r) => r.node === 'sims.gen').map((r) => r.peak_rss_bytes as number)) /
      2 ** 20;
    expect(rows['sims.gen']).toBe(`sims.gen | 3 | 1 → 1 | 200 MiB → ${fmt(up(genMax))} | 1m → 1m | 0 | 0.01`);
    expect(rows.slow).toBe('slow | 0 | 2 → - | 1.00 GiB → - | 1m → - | 0 | 0');
  });

  it('the DAG: each node with its group, dependencies and tasks by state; drawn as boxes and edges', () => {
    expect(tableText(r1, 'dag-table')).toEqual([
      'node | group | depends on | tasks | succeeded | up to date | failed | skipped | cancelled | running | queued | pending',
      'prep | - | - | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0',
      'sims.gen | sims | prep | 3 | 3 | 0 | 0 | 0 | 0 | 0 | 0 | 0',
      'flaky | - | - | 1 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0',
      'bad | - | - | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0',
      'slow | - | - | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0',
      'post | - | sims.gen, bad | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0',
    ]);
    const svg = r1.slice(
      r1.indexOf('<div class="dag">'),
      r1.indexOf('</svg>', r1.indexOf('<div class="dag">')),
    );
    expect((svg.match(/<rect /g) ?? []).length).toBe(6);
    expect((svg.match(/marker-end/g) ?? []).length).toBe(3);
    expect(svg).toContain('<title>post: 1 tasks, 1 skipped</title>');
  });

  it('the comparison says which tasks ran again and why, and how durations and memory changed', () => {
    expect(
      text(
        r1.slice(
          r1.indexOf('<section id="compare">'),
          r1.indexOf('</section>', r1.indexOf('<section id="compare">')),
        ),
      ),
    ).toBe('Compared with the previous run This is the first run of the campaign.');
    expect(
      text(r2.slice(r2.indexOf('<section id="compare">')).split('<h3>')[0]!)
        .replace(RUN, 'RUN$1')
        .replace(TIME, 'TIME'),
    ).toBe(
      'Compared with the previous run Against run RUN001 (failed, started TIME). 7 tasks ran again; 1 ran for the first time.',
    );
    expect(tableText(r2, 'rerun-reasons')).toEqual([
      'reason | tasks | for example',
      'upstream prep ran again | 3 | sims.gen[0], sims.gen[1], sims.gen[2]',
      'forced | 2 | prep, flaky',
      'its last attempt failed | 2 | bad, slow',
    ]);
    expect(tableText(r2, 'reruns-table')).toEqual([
      'task | why',
      'prep | forced (--force)',
      'sims.gen[0] | upstream prep ran again',
      'sims.gen[1] | upstream prep ran again',
      'sims.gen[2] | upstream prep ran again',
      'flaky | forced (--force)',
      'bad | its last attempt failed (failed: exit code 3)',
      'slow | its last attempt failed (timeout: timed out after 1s)',
    ]);
    const nodes = tableRows(r2, 'changes-nodes');
    expect(nodes.map((r) => `${r[0]} ${r[1]}`)).toEqual(['node tasks', 'prep 1', 'sims.gen 3', 'flaky 1']);
    const wall = (t: Row[], task: string) =>
      t.find((r) => r.task === task && r.state === 'succeeded')!.wall_s as number;
    const s = (x: number) => `${x.toFixed(2)} s`;
    expect(nodes[1]![2]).toBe(`${s(wall(trace1, 'prep'))} → ${s(wall(trace2, 'prep'))}`);
    const d = Math.round((100 * (wall(trace2, 'prep') - wall(trace1, 'prep'))) / wall(trace1, 'prep'));
    expect([d - 1, d, d + 1].map((x) => `${x > 0 ? '+' : ''}${x}%`)).toContain(nodes[1]![3]);
    expect(
      tableRows(r2, 'changes-tasks')
        .map((r) => r[0])
        .sort(),
    ).toEqual(['flaky', 'prep', 'sims.gen[0]', 'sims.gen[1]', 'sims.gen[2]', 'task']);
  });

  it('failures: kind, message, log path, command and the last lines of stderr, escaped', () => {
    expect(tableText(r1, 'failures-table', mask)).toEqual([
      'task | attempt | failure | message | exit code | log',
      'bad | 1 | failed | exit code 3 | 3 | <dir>/.campaign/c/runs/RUN001/tasks/bad.1.err',
      'slow | 1 | timeout | timed out after 1s | SIGTERM | <dir>/.campaign/c/runs/RUN001/tasks/slow.1.err',
    ]);
    expect(tableText(r1, 'skipped-table')).toEqual(['task | because', 'post | upstream bad failed']);
    const item = r1.slice(r1.indexOf('<details class="fail-item" open><summary>bad'));
    const bad = item.slice(0, item.indexOf('</details>'));
    expect(bad).toContain(`Log: <code>${state}/runs/`);
    expect(bad).toContain(
      `Command: <code>${TASK} bad; echo &#39;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more&#39; &gt;&amp;2; test -e fixed || exit 3</code>`,
    );
    expect(bad).toContain(
      '<pre class="stderr"><code>bad warning\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</code></pre>',
    );
    // User data never becomes markup: no script element anywhere in the page.
    expect(r1).not.toMatch(/<script/i);
    expect(tableText(r2, 'failures-table', mask).slice(1)).toEqual([
      'slow | 1 | timeout | timed out after 1s | SIGTERM | <dir>/.campaign/c/runs/RUN002/tasks/slow.1.err',
    ]);
  });

  it('the timeline: a row per task, fan-outs in <details>, wait and run segments, the critical path', () => {
    const tl = r1.slice(
      r1.indexOf('<section id="timeline">'),
      r1.indexOf('</section>', r1.indexOf('<section id="timeline">')),
    );
    expect([...tl.matchAll(/data-node="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'prep',
      'sims.gen',
      'flaky',
      'bad',
      'slow',
    ]);
    expect(tl).toMatch(/<details class="node" data-node="sims.gen"><summary>/);
    expect(bars(tl)).toBe(8);
    expect([bars(tl, 'ok'), bars(tl, 'fail'), bars(tl, 'timeout')]).toEqual([5, 2, 1]);
    expect(tl).toMatch(/<path class="w" d="M/);
    expect(tl).toMatch(
      /<rect class="hit" [^>]*><title>flaky\n#1 failed \(failed: exit code 1\), waited [\d.]+ s, ran [\d.]+ s, peak [\d.]+ MiB, on [^\n]+\n#2 succeeded/,
    );
    // The chain that took longest, each task from its first start to its last end: prep and
    // one of its fan-out tasks, or one of the tasks that depend on nothing and wait for nothing.
    const spanOf = (task: string) => {
      const rows = trace1.filter((r) => r.task === task);
      const start = Math.min(...rows.map((r) => Date.parse(r.start as string)));
      return Math.max(...rows.map((r) => Date.parse(r.end as string))) - start;
    };
    const chains: [string[], number][] = [
      ...['sims.gen[0]', 'sims.gen[1]', 'sims.gen[2]'].map((g): [string[], number] => [
        ['prep', g],
        spanOf('prep') + spanOf(g),
      ]),
      ...['flaky', 'bad', 'slow'].map((t): [string[], number] => [[t], spanOf(t)]),
    ];
    const [longest, ms] = chains.reduce((a, b) => (b[1] > a[1] ? b : a));
    const critical = text(/<p id="critical-path">[\s\S]*?<\/p>/.exec(tl)![0]);
    expect(critical).toMatch(
      new RegExp(
        `^Critical path \\(${longest.length} tasks?: the chain of dependencies that took longest, .+ of the run's .+\\): ${longest.join(' → ').replace(/[[\]]/g, '\\$&')}$`,
      ),
    );
    if (ms < 60_000)
      expect(critical).toContain(` ${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s of the run's`);
    expect(tl).toContain(`<b>◆ ${longest[0]}</b>`);
    expect(tl).toMatch(/<path class="cp" d="M[^"]*"\/>/);
  });

  it('--all-runs covers every run up to the one given: each run its timeline, retries of all', () => {
    const r = campaign(rig, ['report', 'c.toml', '--all-runs', '--out', 'all.html']);
    expect(r.code).toBe(0);
    const all = rig.read('all.html');
    expect(tableText(all, 'summary-table', mask)[1]).toBe('Run | RUN002 and the run before it');
    expect(tableText(all, 'summary-table', mask)[12]).toBe('Attempts | 16 (1 retry)');
    expect(
      [...all.matchAll(/<h3>▸ run (\S+) \(failed\)<\/h3>/g)].map((m) => m[1]!.replace(RUN, 'RUN$1')),
    ).toEqual(['RUN001', 'RUN002']);
    expect(tableRows(all, 'retries-table')[0]).toContain('run');
    expect(tableRows(all, 'resources-memory').find((row) => row[1] === 'prep')![2]).toBe('2');
  });

  it('writes to standard output with --out -; a run it does not know is a usage error', () => {
    const r = campaign(rig, ['report', 'c.toml', '--out', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    const footer = (html: string) => html.replace(/ at \d{4}-\d\d-\d\dT\S+Z from /, ' at T from ');
    expect(footer(r.stdout)).toBe(footer(readFileSync(rig.path('r2.html'), 'utf8')));
    const bad = campaign(rig, ['report', 'c.toml', '--run', 'run009']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^campaign: no run 'run009' of c\.toml; did you mean '\d{8}_\d{6}_run00\d'\? \('campaign runs' lists them\)\n$/,
    );
    rig.write('new.toml', '[campaign]\nname = "n"\n[campaign.a]\ncommand = "true"\n');
    const none = campaign(rig, ['report', 'new.toml']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`campaign: no run of new.toml is recorded in ${rig.path('.campaign/new')}\n`);
  });
});
