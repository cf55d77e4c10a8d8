import { TASK_STATES, type TaskState } from '../../exec/events.js';
import { formatCount, textWidth } from './format.js';
import { glyph, STATE_STYLE } from './palette.js';

/** One `✔ 3,790 succeeded` entry of the counts line. */
export interface CountItem {
  readonly state: TaskState;
  readonly text: string;
}

export const COUNT_GAP = '  ';

function widthOf(items: readonly CountItem[]): number {
  return (
    items.reduce((w, it) => w + textWidth(it.text), 0) + COUNT_GAP.length * Math.max(0, items.length - 1)
  );
}

/**
 * Lays the counts per state out in `columns`: full labels if they fit, then short labels, then
 * short labels without the empty states, then the same on two lines, then bare numbers.
 */
export function layoutCounts(
  counts: Readonly<Record<TaskState, number>>,
  columns: number,
  noColor: boolean,
): CountItem[][] {
  const make = (form: 'long' | 'short' | 'tiny', states: readonly TaskState[]): CountItem[] =>
    states.map((state) => {
      const g = glyph(state, noColor);
      const n = formatCount(counts[state]);
      const text =
        form === 'long'
          ? `${g} ${n} ${STATE_STYLE[state].label}`
          : form === 'short'
            ? `${g} ${n} ${STATE_STYLE[state].short}`
            : `${g}${n}`;
      return { state, text };
    });
  const nonZero = TASK_STATES.filter((st) => counts[st] > 0);
  for (const items of [make('long', TASK_STATES), make('short', TASK_STATES), make('short', nonZero)]) {
    if (widthOf(items) <= columns) return [items];
  }
  for (const items of [make('short', TASK_STATES), make('short', nonZero)]) {
    const lines = wrap(items, columns);
    if (lines.length <= 2 && lines.every((l) => widthOf(l) <= columns)) return lines;
  }
  return [make('tiny', nonZero.length > 0 ? nonZero : ['pending'])];
}

function wrap(items: readonly CountItem[], columns: number): CountItem[][] {
  const lines: CountItem[][] = [[]];
  for (const it of items) {
    const line = lines[lines.length - 1]!;
    if (line.length > 0 && widthOf([...line, it]) > columns) lines.push([it]);
    else line.push(it);
  }
  return lines;
}
