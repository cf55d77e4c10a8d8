import { Box } from 'ink';
import { formatCount, truncateStart } from './format.js';
import { Line, type Span } from './Line.js';
import type { FailuresView, FailureView } from './view.js';

/** `✘ sim[m=7]  timed out after 1h · timeout · attempt 3`. */
export function failureHeadline(f: FailureView): Span[] {
  const meta = [f.kind !== 'failed' ? f.kind : '', f.attempt > 1 ? `attempt ${f.attempt}` : '']
    .filter((x) => x !== '')
    .map((x) => ` · ${x}`)
    .join('');
  return [
    { text: '✘ ', colour: 'red' },
    { text: f.id, bold: true },
    { text: `  ${f.message}` },
    { text: meta, dim: true },
  ];
}

export function logPathLine(path: string, columns: number): Span[] {
  return [{ text: '  log: ', dim: true }, { text: truncateStart(path, columns - 7) }];
}

/** Latest failures: what failed and why, the end of its stderr, and where the log is. */
export function failuresLines(failures: FailuresView, columns: number): Span[][] {
  const parts = [`${formatCount(failures.total)}`];
  if (failures.retried > 0) parts.push(`${formatCount(failures.retried)} retried`);
  if (failures.items.length < failures.total) parts.push(`latest ${failures.items.length}`);
  const title: Span[] = [
    { text: 'Failures', bold: true, colour: failures.total > 0 ? 'red' : undefined },
    { text: failures.total > 0 ? ` · ${parts.join(' · ')}` : ' · none', dim: true },
  ];
  const lines: Span[][] = [title];
  for (const f of failures.items) {
    lines.push(failureHeadline(f));
    for (const t of f.tail) lines.push([{ text: '  │ ', dim: true }, { text: t }]);
    if (f.logPath !== undefined) lines.push(logPathLine(f.logPath, columns));
  }
  return lines;
}

export function Failures({
  failures,
  columns,
  noColor,
}: {
  failures: FailuresView;
  columns: number;
  noColor: boolean;
}) {
  return (
    <Box flexDirection="column">
      {failuresLines(failures, columns).map((spans, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on screen
        <Line key={k} spans={spans} width={columns} noColor={noColor} />
      ))}
    </Box>
  );
}
