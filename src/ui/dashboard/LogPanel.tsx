import { Box } from 'ink';
import { textWidth, truncateStart } from './format.js';
import { Line, type Span } from './Line.js';
import type { LogPanelView } from './view.js';

/** The end of the selected row's latest stderr (a failure's if it has one). */
export function logPanelLines(log: LogPanelView, columns: number): Span[][] {
  if (log.path === undefined || log.taskId === undefined) {
    return [
      [
        { text: 'Log', bold: true },
        { text: ` · ${log.rowName} · nothing has run here yet`, dim: true },
      ],
    ];
  }
  const head = `Log · ${log.taskId} · `;
  const title: Span[] = [
    { text: 'Log', bold: true },
    { text: head.slice(3), dim: true },
    { text: truncateStart(log.path, Math.max(8, columns - textWidth(head))) },
  ];
  const body = log.lines.length > 0 ? log.lines : ['(empty)'];
  return [
    title,
    ...body.map((l): Span[] => [{ text: '  ' }, { text: l, ...(log.lines.length ? {} : { dim: true }) }]),
  ];
}

export function LogPanel({
  log,
  columns,
  noColor,
}: {
  log: LogPanelView;
  columns: number;
  noColor: boolean;
}) {
  return (
    <Box flexDirection="column">
      {logPanelLines(log, columns).map((spans, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on screen
        <Line key={k} spans={spans} width={columns} noColor={noColor} />
      ))}
    </Box>
  );
}
