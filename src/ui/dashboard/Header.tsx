import { formatDuration, formatRate, textWidth } from './format.js';
import { fitSpans, Line, type Span } from './Line.js';
import type { HeaderView } from './view.js';

/** The first line: campaign, run id, scheduler, elapsed, ETA and throughput, shortened to fit. */
export function headerSpans(h: HeaderView, columns: number): Span[] {
  const name: Span = { text: h.campaign || 'campaign', bold: true };
  if (h.phase === 'waiting')
    return fitSpans([name, { text: ' · waiting for the run to start', dim: true }], columns);
  const badge: Span[] =
    h.phase === 'cancelling' || h.cancelRequested
      ? [{ text: ' · ' }, { text: 'cancelling…', colour: 'yellow', bold: true }]
      : [];
  const elapsed = formatDuration(h.elapsedMs);
  const eta = h.etaMs === undefined ? '—' : formatDuration(h.etaMs);
  const rate = h.throughput === undefined ? '—/s' : formatRate(h.throughput);
  const variants: string[][] = [
    [`run ${h.runId}`, h.scheduler, `elapsed ${elapsed}`, `ETA ${eta}`, rate],
    [h.runId, h.scheduler, elapsed, `ETA ${eta}`, rate],
    [elapsed, `ETA ${eta}`, rate],
    [elapsed, `ETA ${eta}`],
    [elapsed],
  ];
  const build = (parts: string[]): Span[] => [
    name,
    ...badge,
    {
      text: parts
        .filter((p) => p !== '')
        .map((p) => ` · ${p}`)
        .join(''),
    },
  ];
  for (const parts of variants) {
    const spans = build(parts);
    if (spans.reduce((w, s) => w + textWidth(s.text), 0) <= columns) return spans;
  }
  // Too narrow even for the name and the elapsed time: keep the elapsed time, cut the name.
  const tail: Span[] = [...badge, { text: ` · ${elapsed}` }];
  const room = columns - tail.reduce((w, s) => w + textWidth(s.text), 0);
  return room >= 4 ? [...fitSpans([name], room), ...tail] : fitSpans(build([elapsed]), columns);
}

export function Header({ view, columns, noColor }: { view: HeaderView; columns: number; noColor: boolean }) {
  return <Line spans={headerSpans(view, columns)} width={columns} noColor={noColor} />;
}
