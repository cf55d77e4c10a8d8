import { wallOf } from '../attempts.js';
import type { ReportAttempt, ReportData, ReportNode } from '../data.js';
import { fmtBytes, fmtSeconds } from '../format.js';
import { esc } from '../html.js';

/** Geometry, px: a label column, then the time axis. */
export const LABEL = 300;
export const CHART = 860;
export const WIDTH = LABEL + CHART + 10;
export const ROW = 14;
export const SUMMARY_ROW = 30;
/** Bins of a fan-out node's concurrency profile. */
const BINS = 215;
const MAX_LABEL = 40;
/**
 * Nodes with at most this many rows get a tooltip per row; bigger ones are drawn with a few
 * elements whatever their size (their attempts are in `campaign trace`), so that a page of
 * 10,000 tasks stays quick to load.
 */
export const TIPS_MAX = 500;

/** Where a moment falls on the chart (px from its left edge), and when an attempt ends. */
export interface Scale {
  x(t: number): number;
  end(a: ReportAttempt): number;
}

/** The colour class of an attempt's bar. */
export function outcomeClass(a: Pick<ReportAttempt, 'state' | 'failure'>): string {
  switch (a.state) {
    case 'succeeded':
      return 'ok';
    case 'cancelled':
      return 'cancel';
    case 'queued':
    case 'running':
      return 'run';
    case 'failed':
      if (a.failure === 'timeout') return 'timeout';
      if (a.failure === 'oom') return 'oom';
      if (a.failure === 'node_fail' || a.failure === 'preempted' || a.failure === 'lost') return 'lost';
      return 'fail';
  }
}

export function label(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

const num = (x: number) => {
  const s = x.toFixed(1);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
};

/**
 * A row per task: the labels in one <pre>, and the bars in one SVG path per colour (wait
 * segments thin, run segments full height, each attempt its own segment), the critical path
 * outlined. A few elements for any number of rows.
 */
export function taskRows(
  data: ReportData,
  rows: readonly number[],
  byTask: ReadonlyMap<number, readonly ReportAttempt[]>,
  crit: ReadonlySet<number>,
  scale: Scale,
): string {
  const paths = new Map<string, string[]>();
  const add = (cls: string, d: string) => {
    const list = paths.get(cls);
    if (list) list.push(d);
    else paths.set(cls, [d]);
  };
  const rect = (x0: number, y: number, w: number, h: number) => `M${num(x0)} ${y}h${num(w)}v${h}h-${num(w)}z`;
  const labels: string[] = [];
  const tips: string[] = [];
  rows.forEach((i, r) => {
    const y = r * ROW;
    const t = data.tasks[i]!;
    const onPath = crit.has(i);
    labels.push(onPath ? `<b>◆ ${esc(label(t.id))}</b>` : esc(label(t.id)));
    for (const a of byTask.get(i)!) {
      const run0 = a.start ?? scale.end(a);
      if (a.submit !== undefined && a.submit < run0) {
        const x0 = scale.x(a.submit);
        add('w', rect(x0, y + 5, Math.max(1, scale.x(run0) - x0), 4));
      }
      if (a.start !== undefined) {
        const x0 = scale.x(a.start);
        const d = rect(x0, y + 2, Math.max(1, scale.x(scale.end(a)) - x0), 10);
        add(`b k-${outcomeClass(a)}`, d);
        if (onPath) add('cp', d);
      }
    }
    if (rows.length <= TIPS_MAX)
      tips.push(
        `<rect class="hit" x="0" y="${y}" width="${CHART}" height="${ROW}"><title>${esc([t.id, ...byTask.get(i)!.map(tip)].join('\n'))}</title></rect>`,
      );
  });
  const h = rows.length * ROW;
  const drawn = [...paths].map(([cls, ds]) => `<path class="${cls}" d="${ds.join('')}"/>`).join('');
  return `<div class="rows"><pre class="labels">${labels.join('\n')}</pre><svg width="${CHART + 10}" height="${h}" viewBox="0 0 ${CHART + 10} ${h}" role="img">${drawn}${tips.join('')}</svg></div>`;
}

function tip(a: ReportAttempt): string {
  const wait =
    a.submit !== undefined && a.start !== undefined
      ? `waited ${fmtSeconds((a.start - a.submit) / 1000)}`
      : '';
  const wall = wallOf(a);
  const how =
    a.state === 'failed' ? `failed (${[a.failure, a.message].filter(Boolean).join(': ')})` : a.state;
  return [
    `#${a.attempt} ${how}`,
    wait,
    wall !== undefined ? `ran ${fmtSeconds(wall / 1000)}` : '',
    a.peakKiB !== undefined ? `peak ${fmtBytes(a.peakKiB * 1024)}` : '',
    a.host ? `on ${a.host}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** A fan-out node's row: how many of its attempts ran at each moment, those that failed on top. */
export function nodeRow(
  n: ReportNode,
  ran: number,
  attempts: readonly ReportAttempt[],
  crit: boolean,
  scale: Scale,
): string {
  const ok = new Float64Array(BINS);
  const bad = new Float64Array(BINS);
  const binW = CHART / BINS;
  let failed = 0;
  for (const a of attempts) {
    if (a.state === 'failed') failed++;
    if (a.start === undefined) continue;
    const into = a.state === 'succeeded' || a.state === 'running' ? ok : bad;
    const p0 = scale.x(a.start);
    const p1 = Math.max(p0 + 0.5, scale.x(scale.end(a)));
    for (let b = Math.max(0, Math.floor(p0 / binW)); b < Math.min(BINS, Math.ceil(p1 / binW)); b++) {
      const cover = Math.min(p1, (b + 1) * binW) - Math.max(p0, b * binW);
      if (cover > 0) into[b]! += cover / binW;
    }
  }
  let peak = 0;
  for (let b = 0; b < BINS; b++) peak = Math.max(peak, ok[b]! + bad[b]!);
  const base = SUMMARY_ROW - 2;
  const h = SUMMARY_ROW - 5;
  const area = (lo: Float64Array | undefined, hi: Float64Array, cls: string) => {
    const top: string[] = [];
    const under: string[] = [];
    for (let b = 0; b < BINS; b++) {
      const y = base - (((lo?.[b] ?? 0) + hi[b]!) / (peak || 1)) * h;
      const x0 = LABEL + b * binW;
      top.push(`${num(x0)},${num(y)} ${num(x0 + binW)},${num(y)}`);
    }
    for (let b = BINS - 1; b >= 0; b--) {
      const y = base - ((lo?.[b] ?? 0) / (peak || 1)) * h;
      const x0 = LABEL + b * binW;
      under.push(`${num(x0 + binW)},${num(y)} ${num(x0)},${num(y)}`);
    }
    return `<polygon class="${cls}" points="${top.join(' ')} ${under.join(' ')}"/>`;
  };
  const text = `▸ ${crit ? '◆ ' : ''}${label(n.id)}`;
  const count = `${ran} task${ran === 1 ? '' : 's'}${failed > 0 ? `, ${failed} failed attempt${failed === 1 ? '' : 's'}` : ''}, at most ${Math.round(peak)} at once`;
  return `<svg width="${WIDTH}" height="${SUMMARY_ROW}" viewBox="0 0 ${WIDTH} ${SUMMARY_ROW}" role="img"><g${crit ? ' class="crit"' : ''}><title>${esc(`${n.id}: ${count}`)}</title><line class="grid" x1="0" y1="${SUMMARY_ROW - 0.5}" x2="${WIDTH}" y2="${SUMMARY_ROW - 0.5}"/><text x="4" y="13">${esc(text)}</text><text x="16" y="25" style="font-size:10px;fill:#5f6b7a">${esc(count)}</text>${area(undefined, ok, 'p-ok')}${area(ok, bad, 'p-bad')}</g></svg>`;
}
