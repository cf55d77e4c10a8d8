import { render } from 'ink-testing-library';
import { describe, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/exec/events.js';
import { Screen } from '../../src/ui/dashboard/Dashboard.js';
import { initialUi } from '../../src/ui/dashboard/keys.js';
import { createDashboardState, reduce } from '../../src/ui/dashboard/reducer.js';
import { selectView } from '../../src/ui/dashboard/view.js';
import { climateMidRun, fakeTail, strip } from './helpers.js';

function frame(events: readonly EngineEvent[], now: number, noColor: boolean): string {
  const s = events.reduce(reduce, createDashboardState({ now }));
  const sel = selectView(s, initialUi, {
    now,
    columns: 100,
    rows: 30,
    noColor,
    file: 'c.toml',
    scroll: 0,
    tail: fakeTail,
  });
  return render(<Screen view={sel.view} finished={[]} />).lastFrame() ?? '';
}

// The worker's stdout is not a terminal, so chalk would colour nothing: the dashboard must not
// depend on it. `noColor` alone decides.
describe('colour', () => {
  const { events, now } = climateMidRun();

  test('with colour, states are coloured: green done, red failed, cyan running, grey pending', () => {
    const f = frame(events, now, false);
    expect(f).toContain('\u001B[32m█\u001B[31m█\u001B[36m▓\u001B[90m░░░');
    expect(f).toContain('\u001B[31m✘\u001B[39m 2 failed');
    expect(f).toContain('\u001B[34m◷\u001B[39m\u001B[2m 0 queued\u001B[22m');
    // The selected tree row is shown in reverse video.
    expect(f).toContain('\u001B[1m›\u001B[22m\u001B[7m▾ prep');
  });

  test('without colour, not a single escape sequence, and the same layout', () => {
    const plain = frame(events, now, true);
    expect(plain).not.toContain('\u001B');
    const coloured = strip(frame(events, now, false)).split('\n');
    const lines = plain.split('\n');
    expect(lines.length).toBe(coloured.length);
    expect(lines.map((l) => [...l].length)).toEqual(coloured.map((l) => [...l].length));
  });
});
