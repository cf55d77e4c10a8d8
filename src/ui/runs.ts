import type { RunSummary } from '../state/store.js';

/** The runs of a campaign as `campaign runs` shows them: one row per run, aligned. */
export function formatRuns(list: readonly RunSummary[]): string {
  if (list.length === 0) return 'no runs yet\n';
  const rows = list.map((r) => [
    r.id,
    iso(r.started),
    r.ended ? iso(r.ended) : '-',
    r.status,
    r.counts
      ? Object.entries(r.counts)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ')
      : '-',
    r.user !== undefined ? `${r.user}@${r.host ?? '?'}` : (r.host ?? '-'),
    r.reason ?? '',
  ]);
  const head = ['RUN', 'STARTED', 'ENDED', 'STATUS', 'TASKS', 'WHO', 'WHY'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

/** The runs as JSON, for tools. */
export function runsJson(list: readonly RunSummary[]): string {
  return `${JSON.stringify(list, null, 2)}\n`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
