import type { TaskState } from '../../exec/events.js';
import { BAR_ORDER } from './palette.js';

/** One run of equal cells in a bar. */
export interface BarSegment {
  readonly state: TaskState;
  readonly cells: number;
}

/**
 * Splits `width` cells between the states in proportion to their counts (largest remainder),
 * giving every non-empty state at least one cell when there is room, so a single failure shows.
 */
export function allocateBar(counts: Readonly<Record<TaskState, number>>, width: number): BarSegment[] {
  const total = BAR_ORDER.reduce((n, s) => n + counts[s], 0);
  if (width <= 0) return [];
  if (total === 0) return [{ state: 'pending', cells: width }];
  const exact = BAR_ORDER.map((s) => (counts[s] * width) / total);
  const cells = exact.map((x) => Math.floor(x));
  const nonEmpty = BAR_ORDER.filter((s) => counts[s] > 0).length;
  if (nonEmpty <= width) {
    BAR_ORDER.forEach((s, i) => {
      if (counts[s] > 0 && cells[i] === 0) cells[i] = 1;
    });
  }
  let rest = width - cells.reduce((a, b) => a + b, 0);
  // Hand out what is left by largest remainder; take back from the widest when the minimums overshot.
  const byRemainder = BAR_ORDER.map((_, i) => i).sort(
    (a, b) => exact[b]! - cells[b]! - (exact[a]! - cells[a]!) || a - b,
  );
  for (let k = 0; rest > 0; k = (k + 1) % byRemainder.length) {
    const i = byRemainder[k]!;
    if (counts[BAR_ORDER[i]!] > 0) {
      cells[i]!++;
      rest--;
    }
  }
  while (rest < 0) {
    let widest = 0;
    cells.forEach((c, i) => {
      if (c > cells[widest]!) widest = i;
    });
    cells[widest]!--;
    rest++;
  }
  return BAR_ORDER.map((state, i) => ({ state, cells: cells[i]! })).filter((s) => s.cells > 0);
}
