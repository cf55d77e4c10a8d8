import { Static, Text } from 'ink';
import { formatCount, formatDuration } from './format.js';
import { lineText, type Span } from './Line.js';
import { STATE_STYLE } from './palette.js';
import type { FinishedLineView } from './view.js';

/**
 * A completed row, or a failure and its log path, as scroll-back lines. They are not cut to the
 * width: the full log path matters more than a tidy edge.
 */
export function finishedSpans(l: FinishedLineView): Span[][] {
  switch (l.kind) {
    case 'note':
      return [[{ text: `… ${l.text}`, dim: true }]];
    case 'failure': {
      const f = l.failure;
      const meta = [f.kind !== 'failed' ? f.kind : '', f.attempt > 1 ? `attempt ${f.attempt}` : '']
        .filter((x) => x !== '')
        .map((x) => ` · ${x}`)
        .join('');
      const head: Span[] = [
        { text: '✘ ', colour: 'red' },
        { text: f.id, bold: true },
        { text: `  ${f.message}${meta}` },
      ];
      return f.logPath !== undefined ? [head, [{ text: '  log: ', dim: true }, { text: f.logPath }]] : [head];
    }
    case 'row': {
      const c = l.counts;
      const total = c.succeeded + c.failed + c.skipped + c.cancelled;
      const worst =
        c.failed > 0 ? 'failed' : c.cancelled > 0 ? 'cancelled' : c.skipped > 0 ? 'skipped' : 'succeeded';
      const parts = [`${formatCount(c.succeeded)}/${formatCount(total)} succeeded`];
      for (const st of ['failed', 'skipped', 'cancelled'] as const) {
        if (c[st] > 0) parts.push(`${formatCount(c[st])} ${st}`);
      }
      return [
        [
          { text: `${STATE_STYLE[worst].icon} `, colour: STATE_STYLE[worst].colour },
          { text: `${l.name}${l.fanout ? ` ×${formatCount(total)}` : ''}`, bold: true },
          { text: `  ${parts.join(', ')}` },
          ...(l.durationMs !== undefined ? [{ text: ` in ${formatDuration(l.durationMs)}`, dim: true }] : []),
        ],
      ];
    }
  }
}

/** Finished work, written once above the live area and left to scroll away. */
export function Finished({ lines, noColor }: { lines: readonly FinishedLineView[]; noColor: boolean }) {
  return (
    <Static items={lines as FinishedLineView[]}>
      {(l) => (
        <Text key={l.key}>
          {finishedSpans(l)
            .map((spans) => lineText(spans, noColor))
            .join('\n')}
        </Text>
      )}
    </Static>
  );
}
