import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { EngineEvent } from '../../src/exec/events.js';
import { Screen } from '../../src/ui/dashboard/Dashboard.js';
import { formatDuration } from '../../src/ui/dashboard/format.js';
import { initialUi } from '../../src/ui/dashboard/keys.js';
import { eta, parallelism, runtimeRatio } from '../../src/ui/dashboard/metrics.js';
import { createDashboardState, type DashboardState, reduce } from '../../src/ui/dashboard/reducer.js';
import { selectView } from '../../src/ui/dashboard/view.js';
import { ev, fakeTail, strip, T0, task } from '../ui/helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

// Every task is planned at 100 s (the runtime `run` hands the engine: the planner's request).
const TASKS = [
  task('fast[0]', { node: 'fast', runtime: 100 }),
  task('fast[1]', { node: 'fast', runtime: 100 }),
  task('fast[2]', { node: 'fast', runtime: 100 }),
  task('slow[0]', { node: 'slow', runtime: 100 }),
  task('slow[1]', { node: 'slow', runtime: 100 }),
  task('new', { runtime: 100 }),
];

function stateOf(events: readonly EngineEvent[]): DashboardState {
  return events.reduce(reduce, createDashboardState({ now: T0 }));
}

/** fast[0] takes half its planned runtime, slow[0] three times it. */
function midRun(): DashboardState {
  return stateOf([
    ev.started(TASKS),
    ev.begin('fast[0]', T0, { pid: 1 }),
    ev.begin('slow[0]', T0, { pid: 2 }),
    ev.ok('fast[0]', T0 + 50_000, 50_000),
    ev.ok('slow[0]', T0 + 300_000, 300_000),
  ]);
}

const rowOf = (s: DashboardState, id: string) => s.tasks.row[s.tasks.index.get(id)!]!;

describe('the ETA from the planner runtimes, corrected per node as the run goes', () => {
  test("each node's observed / planned ratio scales its own remaining tasks; a node without one takes the run's", () => {
    const s = midRun();
    expect(runtimeRatio(s, rowOf(s, 'fast[1]'))).toBe(0.5);
    expect(runtimeRatio(s, rowOf(s, 'slow[1]'))).toBe(3);
    // The run's: 350 s observed over 200 s planned.
    expect(runtimeRatio(s, rowOf(s, 'new'))).toBe(1.75);
    const now = T0 + 300_000;
    // fast: 2 x 100 s x 0.5; slow: 1 x 100 s x 3; new: 100 s x 1.75. 575 s of work.
    // (One ratio for the whole run would say 4 x 100 s x 1.75 = 700 s.)
    expect(eta(s, now)).toBe(575_000 / parallelism(s, now));
  });

  test('a running task is expected to take its corrected runtime', () => {
    const s = midRun();
    reduce(s, ev.begin('fast[1]', T0 + 300_000, { pid: 3 }));
    const now = T0 + 310_000;
    // fast[1]: 50 s expected, 10 s gone: 40 s; fast[2] 50 s; slow[1] 300 s; new 175 s.
    expect(eta(s, now)).toBe(565_000 / parallelism(s, now));
    // Overdue: counts 0, never negative.
    expect(eta(s, T0 + 400_000)).toBe(525_000 / parallelism(s, T0 + 400_000));
  });

  test('the header shows it', () => {
    const s = midRun();
    vi.advanceTimersByTime(300_000);
    const now = Date.now();
    const sel = selectView(s, initialUi, {
      now,
      columns: 100,
      rows: 30,
      noColor: true,
      file: 'c.toml',
      scroll: 0,
      tail: fakeTail,
    });
    const frame = strip(render(<Screen view={sel.view} finished={[]} />).lastFrame() ?? '');
    const expected = formatDuration(575_000 / parallelism(s, now));
    expect(frame.split('\n')[0]).toContain(`ETA ${expected} ·`);
    expect(sel.view.header.etaMs).toBe(575_000 / parallelism(s, now));
  });
});
