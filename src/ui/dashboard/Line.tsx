import { Transform } from 'ink';
import { textWidth, truncate } from './format.js';
import type { Colour } from './palette.js';

/** A run of text with one style. Styles are dropped entirely without colour: no ANSI at all. */
export interface Span {
  readonly text: string;
  readonly colour?: Colour;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

export function spansWidth(spans: readonly Span[]): number {
  return spans.reduce((w, s) => w + textWidth(s.text), 0);
}

/** Cuts a line of spans to `width` cells, ending with `…` when something was cut. */
export function fitSpans(spans: readonly Span[], width: number): Span[] {
  if (spansWidth(spans) <= width) return [...spans];
  const out: Span[] = [];
  let left = width;
  for (const s of spans) {
    const w = textWidth(s.text);
    if (w < left) {
      out.push(s);
      left -= w;
      continue;
    }
    out.push({ ...s, text: truncate(`${s.text}…`, left) });
    break;
  }
  return out;
}

const FG: Readonly<Record<Colour, number>> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
};

/**
 * A span as text with its SGR escape codes. Lines are styled here rather than through nested
 * `<Text color>` elements: one Ink node per line keeps React and layout work per frame small.
 */
export function paint(s: Span): string {
  if (s.text === '') return '';
  let open = '';
  let close = '';
  if (s.bold || s.dim) {
    open += s.bold ? '\u001B[1m' : '\u001B[2m';
    close = '\u001B[22m' + close;
  }
  if (s.inverse) {
    open += '\u001B[7m';
    close = '\u001B[27m' + close;
  }
  if (s.colour) {
    open += `\u001B[${FG[s.colour]}m`;
    close = '\u001B[39m' + close;
  }
  return open + s.text + close;
}

/** The text of a line, styled or plain. */
export function lineText(spans: readonly Span[], noColor: boolean): string {
  return noColor ? spans.map((s) => s.text).join('') : spans.map(paint).join('');
}

/**
 * One terminal line, cut to `width`; never wraps, since the layout counts lines.
 *
 * Ink 6 measures every text it lays out and keeps each distinct string in a cache that is never
 * emptied (vadimdemedes/ink#986): a dashboard whose lines change every second would grow by
 * megabytes an hour. So Ink lays out a constant row of spaces, always the same string, and the
 * real line is put in its place when the frame is written.
 */
export function Line({
  spans,
  width,
  noColor,
}: {
  readonly spans: readonly Span[];
  readonly width: number;
  readonly noColor: boolean;
}) {
  const text = lineText(fitSpans(spans, width), noColor);
  return <Transform transform={() => text}>{blank(width)}</Transform>;
}

const blanks = new Map<number, string>();
function blank(width: number): string {
  let b = blanks.get(width);
  if (b === undefined) {
    b = ' '.repeat(Math.max(1, width));
    blanks.set(width, b);
  }
  return b;
}
