import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { EngineEvent } from '../../src/exec/events.js';
import { Screen } from '../../src/ui/dashboard/Dashboard.js';
import { initialUi, type UiState } from '../../src/ui/dashboard/keys.js';
import { createDashboardState, type DashboardState, reduce } from '../../src/ui/dashboard/reducer.js';
import { finishedLines, selectView } from '../../src/ui/dashboard/view.js';
import { climateMidRun, ev, fakeTail, strip, T0, task } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

function stateOf(events: readonly EngineEvent[]): DashboardState {
  return events.reduce(reduce, createDashboardState({ now: Date.now() }));
}

/** Draws the whole screen (scroll-back and live area) and checks the live area fits. */
function screen(
  s: DashboardState,
  o: { columns: number; rows: number; noColor?: boolean; ui?: UiState; withFinished?: boolean },
) {
  const sel = selectView(s, o.ui ?? initialUi, {
    now: Date.now(),
    columns: o.columns,
    rows: o.rows,
    noColor: o.noColor ?? false,
    file: 'campaigns/climate.toml',
    scroll: 0,
    tail: fakeTail,
  });
  const raw = render(<Screen view={sel.view} finished={[]} />).lastFrame() ?? '';
  if (o.noColor) expect(raw).not.toContain('\u001B');
  // Colours are checked exactly in color.test.tsx; here the layout is what matters.
  const live = strip(raw);
  const lines = live.split('\n');
  expect(lines.length).toBeLessThanOrEqual(o.rows - 1);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(o.columns);
  if (!o.withFinished) return live;
  return strip(render(<Screen view={sel.view} finished={finishedLines(s, 0)} />).lastFrame() ?? '');
}

describe('screens', () => {
  test('start: nothing has run yet', () => {
    const s = stateOf([
      ev.started([
        task('prep', { runtime: 60 }),
        task('sim[a=1]', { node: 'sim' }),
        task('sim[a=2]', { node: 'sim' }),
      ]),
    ]);
    vi.advanceTimersByTime(3000);
    expect(screen(s, { columns: 100, rows: 30 })).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 3s · ETA — · —/s
      ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0%  0/3
      · 3 pending  ◷ 0 queued  ▶ 0 running  ✔ 0 succeeded  ✘ 0 failed  ⊘ 0 skipped  ■ 0 cancelled
      Subcampaigns
      ›  prep   ░░░░░░░░░░░░░░░░   0% 0/1
         sim ×2 ░░░░░░░░░░░░░░░░   0% 0/2
      q quit view · c cancel · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
  });

  test('before the run starts', () => {
    const s = createDashboardState({ now: Date.now() });
    expect(screen(s, { columns: 100, rows: 30 })).toMatchInlineSnapshot(`
      "campaign · waiting for the run to start
      q quit view · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
  });

  test('mid-run with failures, with the scroll-back above', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    expect(screen(s, { columns: 100, rows: 30, withFinished: true })).toMatchInlineSnapshot(`
      "✔ prep.fetch  1/1 succeeded in 50s
      ✔ prep.clean ×20  20/20 succeeded in 3m20s
      ✔ prep  21/21 succeeded in 4m10s
      ✘ ensemble.member[i=31]  timed out after 1h00m · timeout · attempt 3
        log: /logs/ensemble.member[i=31].3.err
      ✘ ensemble.member[i=32]  exit code 3
        log: /logs/ensemble.member[i=32].1.err
      climate-ensemble · run r-0101-1200 · slurm · elapsed 15m59s · ETA 1d04h · 32.0/min
      ██▓░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0%  53/10,000
      · 9,915 pending  ◷ 0 queued  ▶ 32 running  ✔ 51 succeeded  ✘ 2 failed  ⊘ 0 skipped  ■ 0 cancelled
      Subcampaigns
      ›▾ prep            ████████████████ 100% 21/21
           fetch         ████████████████ 100% 1/1
           clean ×20     ████████████████ 100% 20/20
       ▾ ensemble        ██▓░░░░░░░░░░░░░   0% 32/9,600 ✘2 ▶32
           member ×9,600 ██▓░░░░░░░░░░░░░   0% 32/9,600 ✘2 ▶32
       ▾ analysis        ░░░░░░░░░░░░░░░░   0% 0/378
         ▾ stats         ░░░░░░░░░░░░░░░░   0% 0/300
             agg ×300    ░░░░░░░░░░░░░░░░   0% 0/300
         ▸ plots         ░░░░░░░░░░░░░░░░   0% 0/78
         report          ░░░░░░░░░░░░░░░░   0% 0/1
      Running · 32 · 6 longest shown
        ensemble.member[i=30]  11m17s / 1h00m  job 8200_30@n16
        ensemble.member[i=33]  11m14s / 1h00m  job 8200_33@n11
        ensemble.member[i=34]  11m13s / 1h00m  job 8200_34@n12
        ensemble.member[i=35]  11m12s / 1h00m  job 8200_35@n13
        ensemble.member[i=36]  11m11s / 1h00m  job 8200_36@n14
        ensemble.member[i=37]  11m10s / 1h00m  job 8200_37@n15
      Failures · 2
      ✘ ensemble.member[i=32]  exit code 3
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ensemble.member[i=32].1.err)
        log: /logs/ensemble.member[i=32].1.err
      ✘ ensemble.member[i=31]  timed out after 1h00m · timeout · attempt 3
        log: /logs/ensemble.member[i=31].3.err
      q quit view · c cancel · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
  });

  test('10,000 tasks: the tree is collapsed to what fits, fan-outs are one row', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    expect(s.tasks.ids.length).toBe(10_000);
    expect(screen(s, { columns: 120, rows: 24 })).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 15m59s · ETA 1d04h · 32.0/min
      ██▓░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0%  53/10,000
      · 9,915 pending  ◷ 0 queued  ▶ 32 running  ✔ 51 succeeded  ✘ 2 failed  ⊘ 0 skipped  ■ 0 cancelled
      Subcampaigns
      ›▾ prep            ████████████████████████ 100% 21/21
           fetch         ████████████████████████ 100% 1/1
           clean ×20     ████████████████████████ 100% 20/20
       ▾ ensemble        ██▓░░░░░░░░░░░░░░░░░░░░░   0% 32/9,600 ✘2 ▶32
           member ×9,600 ██▓░░░░░░░░░░░░░░░░░░░░░   0% 32/9,600 ✘2 ▶32
       ▸ analysis        ░░░░░░░░░░░░░░░░░░░░░░░░   0% 0/378
         report          ░░░░░░░░░░░░░░░░░░░░░░░░   0% 0/1
      Running · 32 · 5 longest shown
        ensemble.member[i=30]  11m17s / 1h00m  job 8200_30@n16
        ensemble.member[i=33]  11m14s / 1h00m  job 8200_33@n11
        ensemble.member[i=34]  11m13s / 1h00m  job 8200_34@n12
        ensemble.member[i=35]  11m12s / 1h00m  job 8200_35@n13
        ensemble.member[i=36]  11m11s / 1h00m  job 8200_36@n14
      Failures · 2 · latest 1
      ✘ ensemble.member[i=32]  exit code 3
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ensemble.member[i=32].1.err)
        log: /logs/ensemble.member[i=32].1.err
      q quit view · c cancel · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
  });

  test('NO_COLOR: distinct characters, no escape sequences', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    const frame = screen(s, { columns: 100, rows: 30, noColor: true });
    expect(frame).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 15m59s · ETA 1d04h · 32.0/min
      [=X>...............................................................................]   0%  53/10,000
      . 9,915 pending  ~ 0 queued  > 32 running  = 51 succeeded  X 2 failed  - 0 skipped  / 0 cancelled
      Subcampaigns
      ›▾ prep            [==============] 100% 21/21
           fetch         [==============] 100% 1/1
           clean ×20     [==============] 100% 20/20
       ▾ ensemble        [=X>...........]   0% 32/9,600 X2 >32
           member ×9,600 [=X>...........]   0% 32/9,600 X2 >32
       ▾ analysis        [..............]   0% 0/378
         ▾ stats         [..............]   0% 0/300
             agg ×300    [..............]   0% 0/300
         ▸ plots         [..............]   0% 0/78
         report          [..............]   0% 0/1
      Running · 32 · 6 longest shown
        ensemble.member[i=30]  11m17s / 1h00m  job 8200_30@n16
        ensemble.member[i=33]  11m14s / 1h00m  job 8200_33@n11
        ensemble.member[i=34]  11m13s / 1h00m  job 8200_34@n12
        ensemble.member[i=35]  11m12s / 1h00m  job 8200_35@n13
        ensemble.member[i=36]  11m11s / 1h00m  job 8200_36@n14
        ensemble.member[i=37]  11m10s / 1h00m  job 8200_37@n15
      Failures · 2
      ✘ ensemble.member[i=32]  exit code 3
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ensemble.member[i=32].1.err)
        log: /logs/ensemble.member[i=32].1.err
      ✘ ensemble.member[i=31]  timed out after 1h00m · timeout · attempt 3
        log: /logs/ensemble.member[i=31].3.err
      q quit view · c cancel · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
  });

  test('60 columns', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    expect(screen(s, { columns: 60, rows: 30 })).toMatchInlineSnapshot(`
      "climate-ensemble · 15m59s · ETA 1d04h · 32.0/min
      ██▓░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0%  53/10,000
      · 9,915 pend  ▶ 32 run  ✔ 51 ok  ✘ 2 fail
      Subcampaigns
      ›▾ prep            ████████ 100% 21/21
           fetch         ████████ 100% 1/1
           clean ×20     ████████ 100% 20/20
       ▾ ensemble        ██▓░░░░░   0% 32/9,600 ✘2 ▶32
           member ×9,600 ██▓░░░░░   0% 32/9,600 ✘2 ▶32
       ▾ analysis        ░░░░░░░░   0% 0/378
         ▾ stats         ░░░░░░░░   0% 0/300
             agg ×300    ░░░░░░░░   0% 0/300
         ▸ plots         ░░░░░░░░   0% 0/78
         report          ░░░░░░░░   0% 0/1
      Running · 32 · 6 longest shown
        ensemble.member[i=30]  11m17s / 1h00m  job 8200_30@n16
        ensemble.member[i=33]  11m14s / 1h00m  job 8200_33@n11
        ensemble.member[i=34]  11m13s / 1h00m  job 8200_34@n12
        ensemble.member[i=35]  11m12s / 1h00m  job 8200_35@n13
        ensemble.member[i=36]  11m11s / 1h00m  job 8200_36@n14
        ensemble.member[i=37]  11m10s / 1h00m  job 8200_37@n15
      Failures · 2
      ✘ ensemble.member[i=32]  exit code 3
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ensemble.member[i=32].1.…
        log: /logs/ensemble.member[i=32].1.err
      ✘ ensemble.member[i=31]  timed out after 1h00m · timeout · …
        log: /logs/ensemble.member[i=31].3.err
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log"
    `);
  });

  test('15 rows', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    expect(screen(s, { columns: 100, rows: 15 })).toMatchInlineSnapshot(`
      "climate-ensemble · run r-0101-1200 · slurm · elapsed 15m59s · ETA 1d04h · 32.0/min
      ██▓░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0%  53/10,000
      · 9,915 pending  ◷ 0 queued  ▶ 32 running  ✔ 51 succeeded  ✘ 2 failed  ⊘ 0 skipped  ■ 0 cancelled
      Subcampaigns
      ›▸ prep            ████████████████ 100% 21/21
       ▾ ensemble        ██▓░░░░░░░░░░░░░   0% 32/9,600 ✘2 ▶32
           member ×9,600 ██▓░░░░░░░░░░░░░   0% 32/9,600 ✘2 ▶32
       ▸ analysis        ░░░░░░░░░░░░░░░░   0% 0/378
         report          ░░░░░░░░░░░░░░░░   0% 0/1
      Running · 32 · 1 longest shown
        ensemble.member[i=30]  11m17s / 1h00m  job 8200_30@n16
      Failures · 2 · latest 1
      ✘ ensemble.member[i=32]  exit code 3
      q quit view · c cancel · f failures only · ↑↓/j k move · enter expand · l log tail"
    `);
  });

  test('60 columns and 15 rows without colour', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    expect(screen(s, { columns: 60, rows: 15, noColor: true })).toMatchInlineSnapshot(`
      "climate-ensemble · 15m59s · ETA 1d04h · 32.0/min
      [=X>.......................................]   0%  53/10,000
      . 9,915 pend  > 32 run  = 51 ok  X 2 fail
      Subcampaigns
      ›▸ prep            [======] 100% 21/21
       ▾ ensemble        [=X>...]   0% 32/9,600 X2 >32
           member ×9,600 [=X>...]   0% 32/9,600 X2 >32
       ▸ analysis        [......]   0% 0/378
         report          [......]   0% 0/1
      Running · 32 · 1 longest shown
        ensemble.member[i=30]  11m17s / 1h00m  job 8200_30@n16
      Failures · 2 · latest 1
      ✘ ensemble.member[i=32]  exit code 3
      q quit · c cancel · f failures · ↑↓ move · ⏎ expand · l log"
    `);
  });

  test('finished: the summary with failures, their logs and the retry command', () => {
    const { events, now } = climateMidRun();
    const s = stateOf([
      ...events,
      ev.cancelling(now + 1000),
      ev.finished(now + 2000, 'failed', {
        pending: 9_915,
        queued: 0,
        running: 0,
        succeeded: 51,
        failed: 2,
        skipped: 0,
        cancelled: 32,
      }),
    ]);
    vi.setSystemTime(now + 60_000);
    expect(screen(s, { columns: 100, rows: 30 })).toMatchInlineSnapshot(`
      "✘ climate-ensemble failed after 16m01s · run r-0101-1200 · slurm
      ███░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░   0%  85/10,000
      · 9,915 pending  ◷ 0 queued  ▶ 0 running  ✔ 51 succeeded  ✘ 2 failed  ⊘ 0 skipped  ■ 32 cancelled
      Failures · 2
      ✘ ensemble.member[i=32]  exit code 3
        log: /logs/ensemble.member[i=32].1.err
        │ Traceback (most recent call last):
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ensemble.member[i=32].1.err)
      ✘ ensemble.member[i=31]  timed out after 1h00m · timeout · attempt 3
        log: /logs/ensemble.member[i=31].3.err
        │ Traceback (most recent call last):
        │   File "member.py", line 42, in <module>
        │ ValueError: seed out of range (ensemble.member[i=31].3.err)
      Retry the failures: campaign run campaigns/climate.toml --retry-failed"
    `);
  });

  test('finished cleanly: no retry command', () => {
    const s = stateOf([
      ev.started([task('a', { runtime: 5 })]),
      ev.begin('a', T0 + 1000, { pid: 7 }),
      ev.ok('a', T0 + 6000, 5000),
      ev.finished(T0 + 6500, 'succeeded', {
        pending: 0,
        queued: 0,
        running: 0,
        succeeded: 1,
        failed: 0,
        skipped: 0,
        cancelled: 0,
      }),
    ]);
    expect(screen(s, { columns: 80, rows: 20 })).toMatchInlineSnapshot(`
      "✔ climate-ensemble succeeded in 6s · run r-0101-1200 · slurm
      ██████████████████████████████████████████████████████████████████████ 100%  1/1
      · 0 pend  ◷ 0 queue  ▶ 0 run  ✔ 1 ok  ✘ 0 fail  ⊘ 0 skip  ■ 0 canc"
    `);
  });

  test('finished: the requests that retries grew after oom or timeout', () => {
    const s = stateOf([
      ev.started([task('hog', { runtime: 5 })]),
      ev.begin('hog', T0 + 1000, { pid: 7 }),
      ev.fail('hog', T0 + 2000, 'out of memory', {
        kind: 'oom',
        retryIn: 0,
        escalation: 'attempt 2 with 228M after oom at 100M, peak 114M',
      }),
      ev.begin('hog', T0 + 3000, { pid: 8 }),
      ev.fail('hog', T0 + 4000, 'out of memory', {
        kind: 'oom',
        attempt: 2,
        retryIn: 0,
        escalation: 'attempt 3 with 490M after oom at 228M, peak 245M',
      }),
      ev.begin('hog', T0 + 5000, { pid: 9 }),
      ev.ok('hog', T0 + 6000, 1000),
      ev.finished(T0 + 6500, 'succeeded', {
        pending: 0,
        queued: 0,
        running: 0,
        succeeded: 1,
        failed: 0,
        skipped: 0,
        cancelled: 0,
      }),
    ]);
    expect(screen(s, { columns: 100, rows: 20 })).toMatchInlineSnapshot(`
      "✔ climate-ensemble succeeded in 6s · run r-0101-1200 · slurm
      ██████████████████████████████████████████████████████████████████████████████████████████ 100%  1/1
      · 0 pending  ◷ 0 queued  ▶ 0 running  ✔ 1 succeeded  ✘ 0 failed  ⊘ 0 skipped  ■ 0 cancelled
      Requests grown after oom or timeout
        hog: attempt 2 with 228M after oom at 100M, peak 114M
        hog: attempt 3 with 490M after oom at 228M, peak 245M"
    `);
  });

  test('every size from tiny to wide: the live area fits, in height and in width', () => {
    const { events, now } = climateMidRun();
    const s = stateOf(events);
    vi.setSystemTime(now);
    for (const columns of [12, 20, 30, 45, 60, 80, 100, 140]) {
      for (const rows of [3, 5, 8, 12, 15, 24, 40]) {
        for (const noColor of [false, true]) screen(s, { columns, rows, noColor });
      }
    }
  });
});
