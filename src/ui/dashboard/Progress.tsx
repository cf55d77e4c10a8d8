import { Box } from 'ink';
import type { TaskState } from '../../exec/events.js';
import { allocateBar } from './bar.js';
import { COUNT_GAP, layoutCounts } from './counts.js';
import { formatCount, textWidth } from './format.js';
import { Line, type Span } from './Line.js';
import { STATE_STYLE } from './palette.js';

/** Tasks that will not change any more. */
export function doneOf(c: Readonly<Record<TaskState, number>>): number {
  return c.succeeded + c.failed + c.skipped + c.cancelled;
}

export function totalOf(c: Readonly<Record<TaskState, number>>): number {
  return doneOf(c) + c.pending + c.queued + c.running;
}

/** Whole percent done, never 100 before everything is. */
export function percent(done: number, total: number): number {
  if (total === 0) return 0;
  return done >= total ? 100 : Math.floor((done * 100) / total);
}

/** A bar of `width` cells: coloured blocks, or one distinct character per state without colour. */
export function barSpans(
  counts: Readonly<Record<TaskState, number>>,
  width: number,
  noColor: boolean,
): Span[] {
  if (noColor) {
    const inner = Math.max(0, width - 2);
    const text = allocateBar(counts, inner)
      .map((seg) => STATE_STYLE[seg.state].mark.repeat(seg.cells))
      .join('');
    return [{ text: `[${text}]` }];
  }
  return allocateBar(counts, width).map((seg) => ({
    text: STATE_STYLE[seg.state].cell.repeat(seg.cells),
    colour: STATE_STYLE[seg.state].colour,
  }));
}

/** The overall bar: `███▓▓░░░  38%  3,812/10,000`. */
export function progressSpans(
  counts: Readonly<Record<TaskState, number>>,
  columns: number,
  noColor: boolean,
): Span[] {
  const total = totalOf(counts);
  const done = doneOf(counts);
  const suffix = ` ${String(percent(done, total)).padStart(3)}%  ${formatCount(done)}/${formatCount(total)}`;
  const width = columns - textWidth(suffix);
  if (width < 5) return [{ text: suffix.trimStart() }];
  return [...barSpans(counts, width, noColor), { text: suffix }];
}

/** The counts line(s): `✔ 3,790 succeeded  ✘ 22 failed …`, glyph coloured, empty states dimmed. */
export function countsLines(
  counts: Readonly<Record<TaskState, number>>,
  columns: number,
  noColor: boolean,
): Span[][] {
  return layoutCounts(counts, columns, noColor).map((items) =>
    items.flatMap((it, k): Span[] => {
      const [g, ...rest] = [...it.text];
      const zero = counts[it.state] === 0;
      return [
        ...(k > 0 ? [{ text: COUNT_GAP }] : []),
        { text: g ?? '', colour: STATE_STYLE[it.state].colour },
        { text: rest.join(''), ...(zero ? { dim: true } : {}) },
      ];
    }),
  );
}

export function Progress({
  counts,
  columns,
  noColor,
  showBar,
  showCounts,
}: {
  counts: Readonly<Record<TaskState, number>> | undefined;
  columns: number;
  noColor: boolean;
  showBar: boolean;
  showCounts: boolean;
}) {
  if (!counts) return null;
  return (
    <Box flexDirection="column">
      {showBar && <Line spans={progressSpans(counts, columns, noColor)} width={columns} noColor={noColor} />}
      {showCounts &&
        countsLines(counts, columns, noColor).map((spans, k) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: at most two lines, in a fixed order
          <Line key={k} spans={spans} width={columns} noColor={noColor} />
        ))}
    </Box>
  );
}
