import { Text } from 'ink';
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

/** One terminal line, cut to `width`. Never wraps: the layout counts lines, so a line must stay one. */
export function Line({
  spans: all,
  width,
  noColor,
}: {
  readonly spans: readonly Span[];
  readonly width: number;
  readonly noColor: boolean;
}) {
  const spans = fitSpans(all, width);
  const text = spans.map((s) => s.text).join('');
  if (noColor) return <Text wrap="truncate-end">{text === '' ? ' ' : text}</Text>;
  return (
    <Text wrap="truncate-end">
      {text === ''
        ? ' '
        : spans.map((s, i) =>
            s.colour || s.bold || s.dim || s.inverse ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: spans of one line never reorder
              <Text key={i} color={s.colour} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
                {s.text}
              </Text>
            ) : (
              s.text
            ),
          )}
    </Text>
  );
}
