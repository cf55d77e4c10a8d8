import { Box } from 'ink';
import { formatCount, padEnd, textWidth, truncate } from './format.js';
import { Line, type Span } from './Line.js';
import { barSpans, doneOf, percent } from './Progress.js';
import { glyph, STATE_STYLE } from './palette.js';
import type { TreeRowView, TreeView } from './view.js';

function stats(r: TreeRowView, noColor: boolean): Span[] {
  const done = doneOf(r.counts);
  const spans: Span[] = [
    { text: `${String(percent(done, r.total)).padStart(3)}% ${formatCount(done)}/${formatCount(r.total)}` },
  ];
  for (const st of ['failed', 'running'] as const) {
    if (r.counts[st] > 0) {
      spans.push(
        { text: ' ' },
        { text: `${glyph(st, noColor)}${formatCount(r.counts[st])}`, colour: STATE_STYLE[st].colour },
      );
    }
  }
  return spans;
}

function label(r: TreeRowView): string {
  const twisty = r.kind === 'group' ? (r.open ? '▾' : '▸') : ' ';
  const fan = r.kind === 'fanout' ? ` ×${formatCount(r.total)}` : '';
  return `${'  '.repeat(r.depth)}${twisty} ${r.name}${fan}`;
}

/** Bar width for a terminal width: wide bars on wide terminals, none on very narrow ones. */
function barWidth(columns: number): number {
  if (columns >= 110) return 24;
  if (columns >= 90) return 16;
  if (columns >= 70) return 12;
  if (columns >= 50) return 8;
  return 0;
}

/** The subcampaign tree, one row per group or node, labels and bars aligned. */
export function treeLines(tree: TreeView, columns: number, noColor: boolean): Span[][] {
  const range =
    tree.rows.length < tree.of ? ` · ${tree.first + 1}–${tree.first + tree.rows.length} of ${tree.of}` : '';
  const title: Span[] = [
    { text: 'Subcampaigns', bold: true },
    { text: `${tree.failuresOnly ? ' · failures only' : ''}${range}`, dim: true },
  ];
  if (tree.rows.length === 0) return [title, [{ text: '  no failures', dim: true }]];
  const statSpans = tree.rows.map((r) => stats(r, noColor));
  const statW = Math.max(...statSpans.map((sp) => sp.reduce((w, s) => w + textWidth(s.text), 0)));
  let bar = barWidth(columns);
  const labels = tree.rows.map(label);
  const room = columns - 1 - statW - 1 - (bar > 0 ? bar + 1 : 0);
  const longest = Math.max(...labels.map(textWidth));
  let labelW = Math.min(longest, room);
  // Names matter more than bars: drop the bars rather than cut names below 12 cells.
  if (labelW < Math.min(12, longest) && bar > 0) {
    bar = 0;
    labelW = Math.min(longest, columns - 2 - statW);
  }
  return [
    title,
    ...tree.rows.map((r, k): Span[] => {
      const name = padEnd(truncate(labels[k]!, labelW), labelW);
      return [
        r.selected ? { text: '›', bold: true } : { text: ' ' },
        { text: name, ...(r.selected ? { inverse: true } : {}) },
        { text: ' ' },
        ...(bar > 0 ? [...barSpans(r.counts, bar, noColor), { text: ' ' }] : []),
        ...statSpans[k]!,
      ];
    }),
  ];
}

export function Tree({ tree, columns, noColor }: { tree: TreeView; columns: number; noColor: boolean }) {
  return (
    <Box flexDirection="column">
      {treeLines(tree, columns, noColor).map((spans, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on screen
        <Line key={k} spans={spans} width={columns} noColor={noColor} />
      ))}
    </Box>
  );
}
