import type { ReportData } from '../data.js';
import { fmtBytes, fmtCores, fmtHours, fmtMiB, fmtPct, fmtSeconds } from '../format.js';
import { type Cell, para, section, table } from '../html.js';
import {
  type Dist,
  HEADROOM,
  type Measure,
  rightSizing,
  type ScopeUse,
  type Span,
  scopeUse,
} from '../resources.js';

type Pick = (s: ScopeUse) => Measure;

/**
 * Per node and per group: peak memory, CPU use and wall time, raw and as % of the request
 * (min / median / p95 / max over succeeded attempts), the biggest over-requests first; then
 * a right-size suggestion per node.
 */
export function resourcesSection(data: ReportData): string {
  const scopes = scopeUse(data);
  if (scopes.length === 0)
    return section('resources', 'Resources', para('No attempt succeeded: nothing to measure.'));
  const parts = [
    '<p class="mute">Over succeeded attempts. Each value, and in brackets the same statistic of the value as a percentage of its attempt\'s request. Rows with the most held beyond use come first.</p>',
    '<h3>Peak memory</h3>',
    measureTable('resources-memory', scopes, (s) => s.memory, fmtMiB, fmtBytes, 'GB-hours held beyond use'),
    '<h3>CPU use (CPU time / wall time, in cores; % of the cores requested)</h3>',
    measureTable('resources-cpu', scopes, (s) => s.cpu, String, fmtCores, 'core-hours held beyond use'),
    '<h3>Wall time (% of the declared runtime, else of the limit)</h3>',
    measureTable(
      'resources-wall',
      scopes,
      (s) => s.wall,
      fmtSeconds,
      fmtSeconds,
      'core-hours reserved beyond use',
    ),
    '<h3>Right-size suggestions</h3>',
    `<p class="mute">Observed maximum of succeeded attempts plus ${HEADROOM}% headroom, rounded up (memory to the MiB, runtime to the minute, cores to a whole core); savings over the last attempt of each task, in requested core-hours and GB-hours.</p>`,
    rightSizeTable(data),
  ];
  return section('resources', 'Resources', parts.join('\n'));
}

function measureTable(
  id: string,
  scopes: readonly ScopeUse[],
  pick: Pick,
  fmtReq: (x: number) => string,
  fmtVal: (x: number) => string,
  wasteLabel: string,
): string {
  const sorted = [...scopes].sort(
    (a, b) => pick(b).waste - pick(a).waste || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id),
  );
  const stat = (m: Measure, k: keyof Omit<Dist, 'n'>): Cell => {
    if (!m.raw) return '-';
    const pct = m.pct ? ` (${fmtPct(m.pct[k])})` : '';
    return { cell: `${fmtVal(m.raw[k])}${pct}`, cls: 'n' };
  };
  const rows = sorted.map((s): Cell[] => {
    const m = pick(s);
    return [
      s.kind,
      s.id,
      { cell: m.raw?.n ?? 0, cls: 'n' },
      m.request ? spanText(m.request, fmtReq) : '-',
      stat(m, 'min'),
      stat(m, 'median'),
      stat(m, 'p95'),
      stat(m, 'max'),
      { cell: fmtHours(m.waste), cls: 'n' },
    ];
  });
  return table(id, ['scope', 'id', 'samples', 'requested', 'min', 'median', 'p95', 'max', wasteLabel], rows);
}

function spanText(s: Span, f: (x: number) => string): string {
  return s.min === s.max ? f(s.min) : `${f(s.min)} – ${f(s.max)}`;
}

function rightSizeTable(data: ReportData): string {
  const arrow = <T>(req: T | undefined, sug: T | undefined, f: (x: T) => string) =>
    `${req !== undefined ? f(req) : '-'} → ${sug !== undefined ? f(sug) : '-'}`;
  const rows = rightSizing(data).map((r): Cell[] => [
    r.node,
    { cell: r.samples, cls: 'n' },
    arrow(r.cores.requested, r.cores.suggested, String),
    arrow(r.memory.requested, r.memory.suggested, fmtMiB),
    arrow(r.runtime.requested, r.runtime.suggested, fmtSeconds),
    { cell: fmtHours(r.saves.coreHours), cls: 'n' },
    { cell: fmtHours(r.saves.gbHours), cls: 'n' },
  ]);
  return table(
    'right-size',
    ['node', 'samples', 'cores', 'memory', 'runtime', 'saves core-hours', 'saves GB-hours'],
    rows,
  );
}
