import { Box } from 'ink';
import { failureHeadline, logPathLine } from './Failures.js';
import { formatCount, formatDuration, textWidth } from './format.js';
import { fitSpans, Line, type Span } from './Line.js';
import { countsLines, progressSpans } from './Progress.js';
import { type Colour, STATE_STYLE } from './palette.js';
import type { SummaryView } from './view.js';

const OUTCOME: Record<string, { icon: string; colour: Colour; word: string }> = {
  succeeded: { icon: STATE_STYLE.succeeded.icon, colour: 'green', word: 'succeeded in' },
  failed: { icon: STATE_STYLE.failed.icon, colour: 'red', word: 'failed after' },
  cancelled: { icon: STATE_STYLE.cancelled.icon, colour: 'magenta', word: 'cancelled after' },
  interrupted: { icon: STATE_STYLE.cancelled.icon, colour: 'yellow', word: 'interrupted after' },
};

/** The lines that stay on screen after the run: outcome, counts, failures with logs, the retry command. */
export function summaryLines(v: SummaryView): Span[][] {
  const h = v.header;
  const o = OUTCOME[h.status ?? 'interrupted'] ?? OUTCOME.interrupted!;
  const outcome = v.nothingToDo
    ? ` has nothing to do: ${formatCount(v.counts.succeeded)} up to date`
    : ` ${o.word} ${formatDuration(v.durationMs)}`;
  const head: Span[] = [
    { text: `${o.icon} `, colour: o.colour },
    { text: h.campaign, bold: true },
    { text: outcome, colour: o.colour },
  ];
  const detail = ` · run ${h.runId} · ${h.scheduler}`;
  const lines: Span[][] = [
    head.reduce((w, s) => w + textWidth(s.text), 0) + textWidth(detail) <= v.columns
      ? [...head, { text: detail, dim: true }]
      : fitSpans(head, v.columns),
    progressSpans(v.counts, v.columns, v.noColor),
    ...countsLines(v.counts, v.columns, v.noColor),
  ];
  if (v.halted !== undefined) lines.push([{ text: `Stopped handing out work: ${v.halted}`, colour: 'red' }]);
  const f = v.failures;
  if (f.total > 0) {
    lines.push([
      { text: 'Failures', bold: true, colour: 'red' },
      {
        text: ` · ${formatCount(f.total)}${f.retried > 0 ? ` · ${formatCount(f.retried)} retried` : ''}`,
        dim: true,
      },
    ]);
    for (const item of f.items) {
      lines.push(failureHeadline(item));
      if (item.logPath !== undefined) lines.push(logPathLine(item.logPath, v.columns));
      for (const t of item.tail) lines.push([{ text: '  │ ', dim: true }, { text: t }]);
    }
    const more = f.total - f.items.length;
    if (more > 0) lines.push([{ text: `  … and ${formatCount(more)} more`, dim: true }]);
  }
  if (v.escalations.length > 0) {
    lines.push([{ text: 'Requests grown after oom or timeout', bold: true }]);
    for (const e of v.escalations)
      for (const step of e.steps) lines.push([{ text: `  ${e.id}: ` }, { text: step, dim: true }]);
  }
  if (v.retryCommand !== undefined) {
    lines.push([{ text: 'Retry the failures: ' }, { text: v.retryCommand, bold: true }]);
  }
  return lines;
}

export function Summary({ view }: { view: SummaryView }) {
  return (
    <Box flexDirection="column">
      {summaryLines(view).map((spans, k) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on screen
        <Line key={k} spans={spans} width={view.columns} noColor={view.noColor} />
      ))}
    </Box>
  );
}
