import { textWidth } from './format.js';
import { fitSpans, Line, type Span } from './Line.js';
import type { LegendView } from './view.js';

const PROMPTS = {
  cancel: 'Cancel the run? y/n',
  quit: 'The run stops when you leave: cancel it? y/n',
} as const;

/** The key legend, in the longest wording that fits; or the pending question. */
export function legendSpans(
  legend: LegendView,
  prompt: 'cancel' | 'quit' | undefined,
  columns: number,
): Span[] {
  if (prompt) return fitSpans([{ text: PROMPTS[prompt], colour: 'yellow', bold: true }], columns);
  const entries: [string, string, string, string][] = [
    ['q', 'quit view', 'q', 'quit'],
    ...(legend.canCancel ? [['c', 'cancel', 'c', 'cancel'] as [string, string, string, string]] : []),
    ['f', legend.failuresOnly ? 'show all' : 'failures only', 'f', legend.failuresOnly ? 'all' : 'failures'],
    ['↑↓/j k', 'move', '↑↓', 'move'],
    ['enter', 'expand', '⏎', 'expand'],
    ['l', legend.logOpen ? 'close log' : 'log tail', 'l', legend.logOpen ? 'close' : 'log'],
  ];
  const build = (long: boolean, sep: string): Span[] =>
    entries.flatMap(([k, d, sk, sd], i): Span[] => [
      ...(i > 0 ? [{ text: sep, dim: true }] : []),
      { text: long ? k : sk, bold: true },
      { text: ` ${long ? d : sd}`, dim: true },
    ]);
  for (const spans of [build(true, ' · '), build(false, ' · '), build(false, ' ')]) {
    if (spans.reduce((w, s) => w + textWidth(s.text), 0) <= columns) return spans;
  }
  return fitSpans(build(false, ' '), columns);
}

export function Legend({
  legend,
  prompt,
  columns,
  noColor,
}: {
  legend: LegendView;
  prompt: 'cancel' | 'quit' | undefined;
  columns: number;
  noColor: boolean;
}) {
  return <Line spans={legendSpans(legend, prompt, columns)} width={columns} noColor={noColor} />;
}
