import { layeredLayout } from '../dag-layout.js';
import type { ReportData, ReportState } from '../data.js';
import { type Cell, esc, section, table } from '../html.js';

/** The columns of the per-node counts, and how a box shows each state. */
const STATES: readonly [ReportState, string][] = [
  ['succeeded', 'ok'],
  ['uptodate', 'up to date'],
  ['failed', 'failed'],
  ['skipped', 'skipped'],
  ['cancelled', 'cancelled'],
  ['running', 'running'],
  ['queued', 'queued'],
  ['pending', 'pending'],
];

/** Past this many nodes the drawing is left out: the table says it all. */
const MAX_DRAWN = 400;
const BOX_W = 200;
const BOX_H = 44;
const GAP_X = 56;
const GAP_Y = 14;
const PAD = 12;

type Counts = Record<ReportState, number>;

/** The subcampaigns' DAG, laid out in layers, with each node's tasks by state. */
export function dagSection(data: ReportData): string {
  const counts = data.nodes.map((n) => {
    const c = Object.fromEntries(STATES.map(([s]) => [s, 0])) as Counts;
    for (const i of n.tasks) c[data.tasks[i]!.state]++;
    return c;
  });
  const rows = data.nodes.map((n, v): Cell[] => [
    n.id,
    n.group || '-',
    n.deps.length > 0 ? n.deps.join(', ') : '-',
    { cell: n.tasks.length, cls: 'n' },
    ...STATES.map(([s]) => ({ cell: counts[v]![s], cls: 'n' })),
  ]);
  const tableHtml = table(
    'dag-table',
    ['node', 'group', 'depends on', 'tasks', ...STATES.map(([s]) => (s === 'uptodate' ? 'up to date' : s))],
    rows,
  );
  const drawing =
    data.nodes.length <= MAX_DRAWN
      ? `<div class="dag">${drawDag(data, counts)}</div>`
      : `<p class="mute">${data.nodes.length} nodes: too many to draw; the table lists them.</p>`;
  return section('dag', 'Subcampaigns (DAG)', `${drawing}\n${tableHtml}`);
}

function colour(c: Counts): [string, string] {
  if (c.failed > 0) return ['var(--fail)', '#fbe9e9'];
  if (c.skipped > 0) return ['#b8960c', '#fbf5dc'];
  if (c.cancelled > 0) return ['var(--cancel)', '#f1f2f3'];
  if (c.running + c.queued > 0) return ['var(--run)', '#e8f0fb'];
  if (c.pending > 0) return ['var(--lost)', '#fff'];
  return ['var(--ok)', '#e8f5ed'];
}

function drawDag(data: ReportData, counts: readonly Counts[]): string {
  const index = new Map(data.nodes.map((n, i) => [n.id, i]));
  const edges: [number, number][] = [];
  for (const [to, n] of data.nodes.entries())
    for (const d of n.deps) {
      const from = index.get(d);
      if (from !== undefined) edges.push([from, to]);
    }
  const lay = layeredLayout(data.nodes.length, edges);
  const perLayer = new Int32Array(lay.layers);
  for (const v of lay.vertices) perLayer[v.layer]!++;
  const slot = BOX_H + GAP_Y;
  const at = (v: number) => {
    const p = lay.vertices[v]!;
    const offset = ((lay.height - perLayer[p.layer]!) * slot) / 2;
    return { x: PAD + p.layer * (BOX_W + GAP_X), y: PAD + offset + p.rank * slot };
  };
  const width = PAD * 2 + lay.layers * BOX_W + Math.max(0, lay.layers - 1) * GAP_X;
  const height = PAD * 2 + lay.height * slot - GAP_Y;
  const paths = lay.routes.map((route) => {
    const pts = route.map((v, i) => {
      const p = at(v);
      const dummy = lay.vertices[v]!.dummy;
      const y = p.y + BOX_H / 2;
      if (dummy) return { x: p.x + BOX_W / 2, y };
      return { x: i === 0 ? p.x + BOX_W : p.x, y };
    });
    let d = `M${pts[0]!.x},${pts[0]!.y}`;
    for (let i = 1; i < pts.length; i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      const mx = (a.x + b.x) / 2;
      d += ` C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}`;
    }
    return `<path d="${d}" fill="none" stroke="#8a94a3" stroke-width="1.2" marker-end="url(#arrow)"/>`;
  });
  const boxes = data.nodes.map((n, v) => {
    const { x, y } = at(v);
    const c = counts[v]!;
    const [stroke, fill] = colour(c);
    const line = STATES.filter(([s]) => c[s] > 0)
      .map(([s, l]) => `${c[s]} ${l}`)
      .join(' · ');
    const name = n.id.length > 28 ? `${n.id.slice(0, 27)}…` : n.id;
    return `<g><title>${esc(`${n.id}: ${n.tasks.length} tasks${line ? `, ${line}` : ''}`)}</title><rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="5" fill="${fill}" stroke="${stroke}" stroke-width="1.6"/><text class="nm" x="${x + 8}" y="${y + 18}">${esc(name)}</text><text x="${x + 8}" y="${y + 34}">${esc(line || 'no tasks in this run')}</text></g>`;
  });
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#8a94a3"/></marker></defs>${paths.join('')}${boxes.join('')}</svg>`;
}
