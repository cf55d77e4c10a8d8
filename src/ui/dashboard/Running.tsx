import { Box } from 'ink';
import { formatCount, formatDuration, padEnd, padStart, textWidth, truncate } from './format.js';
import { Line, type Span } from './Line.js';
import type { RunningView } from './view.js';

/** Running work, longest first: `  sim[m=3]   12m03s / 1h00m  job 81234_3`. */
export function runningLines(running: RunningView, columns: number): Span[][] {
  const title: Span[] = [
    { text: 'Running', bold: true },
    {
      text:
        running.rows.length < running.total
          ? ` · ${formatCount(running.total)} · ${running.rows.length} longest shown`
          : ` · ${formatCount(running.total)} · longest first`,
      dim: true,
    },
  ];
  const times = running.rows.map((r) => formatDuration(r.elapsedMs));
  const timeW = Math.max(0, ...times.map(textWidth));
  const rights = running.rows.map((r) => {
    const limit = r.limitMs === undefined ? '' : ` / ${formatDuration(r.limitMs)}`;
    const where = [r.where, r.attempt > 1 ? `try ${r.attempt}` : ''].filter((x) => x !== '').join(' · ');
    return { limit, where };
  });
  const limitW = Math.max(0, ...rights.map((x) => textWidth(x.limit)));
  const whereW = Math.max(0, ...rights.map((x) => textWidth(x.where)));
  const idW = Math.max(
    8,
    Math.min(
      Math.max(0, ...running.rows.map((r) => textWidth(r.id))),
      columns - 2 - 2 - timeW - limitW - 2 - whereW,
    ),
  );
  return [
    title,
    ...running.rows.map((r, k): Span[] => {
      const over = r.limitMs !== undefined && r.elapsedMs > r.limitMs;
      const near = r.limitMs !== undefined && r.elapsedMs >= 0.8 * r.limitMs;
      return [
        { text: `  ${padEnd(truncate(r.id, idW), idW)}  ` },
        {
          text: padStart(times[k]!, timeW),
          ...(over ? { colour: 'red' } : near ? { colour: 'yellow' } : {}),
        },
        { text: padEnd(rights[k]!.limit, limitW), dim: true },
        { text: rights[k]!.where === '' ? '' : `  ${rights[k]!.where}` },
      ];
    }),
  ];
}

export function Running({
  running,
  columns,
  noColor,
}: {
  running: RunningView;
  columns: number;
  noColor: boolean;
}) {
  return (
    <Box flexDirection="column">
      {runningLines(running, columns).map((spans, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on screen
        <Line key={k} spans={spans} width={columns} noColor={noColor} />
      ))}
    </Box>
  );
}
