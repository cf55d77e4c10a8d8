import { formatDuration } from '../../../model/units.js';
import { criticalPath } from '../critical.js';
import type { ReportAttempt, ReportData, RunInfo } from '../data.js';
import { fmtSeconds, fmtTime } from '../format.js';
import { esc, para, section } from '../html.js';
import { CHART, LABEL, nodeRow, type Scale, taskRows, WIDTH } from './timeline-rows.js';

const AXIS = 26;

const LEGEND: readonly [string, string][] = [
  ['var(--wait)', 'waiting in the queue'],
  ['var(--ok)', 'ran, succeeded'],
  ['var(--fail)', 'ran, failed'],
  ['var(--timeout)', 'timed out'],
  ['var(--oom)', 'out of memory'],
  ['var(--lost)', 'node failure, preempted, lost'],
  ['var(--cancel)', 'cancelled'],
  ['var(--run)', 'still running'],
];

const STYLE = `<style>
.tl .w{fill:var(--wait)}.tl .k-ok{fill:var(--ok)}.tl .k-fail{fill:var(--fail)}.tl .k-timeout{fill:var(--timeout)}
.tl .k-oom{fill:var(--oom)}.tl .k-lost{fill:var(--lost)}.tl .k-cancel{fill:var(--cancel)}.tl .k-run{fill:var(--run)}
.tl .cp{fill:none;stroke:#000;stroke-width:1.5}.tl g.crit text{font-weight:700}
.tl .p-ok{fill:var(--ok);opacity:.75}.tl .p-bad{fill:var(--fail);opacity:.8}.tl .tick{stroke:var(--line)}
.tl .grid{stroke:#eef0f3}.tl .hit{fill:transparent}
.tl .rows{display:flex}
.tl pre.labels{flex:none;width:${LABEL}px;margin:0;padding:0 0 0 4px;border:0;background:none;overflow:hidden;max-height:none;font:11px/14px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
</style>`;

/**
 * One bar per task, grouped by node: a fan-out node is one row (how many of its tasks ran at
 * each moment) that opens, as a <details>, into a row per task. Queue wait and run time are
 * separate segments, each attempt its own; the critical path is marked. Inline SVG, no script.
 */
export function timelineSection(data: ReportData): string {
  const legend = `<p class="legend">${LEGEND.map(([c, l]) => `<span><i style="background:${c}"></i>${esc(l)}</span>`).join('')}<span><i style="background:#fff;border:2px solid #000"></i>critical path (◆)</span></p>`;
  const runs = data.runs;
  if (runs.length === 1) return section('timeline', 'Timeline', `${STYLE}${legend}${chart(data, runs[0]!)}`);
  const body = runs
    .map(
      (r, i) =>
        `<details${i === runs.length - 1 ? ' open' : ''}><summary><h3>▸ run ${esc(r.id)} (${esc(r.status)})</h3></summary>${chart(data, r)}</details>`,
    )
    .join('\n');
  return section('timeline', 'Timeline', `${STYLE}${legend}${body}`);
}

function chart(data: ReportData, run: RunInfo): string {
  const attempts = data.attempts.filter((a) => a.runs.includes(run.id));
  if (attempts.length === 0) return para('No attempt ran in this run: every task was up to date or skipped.');
  let t0 = run.start;
  let t1 = run.end ?? data.generated;
  for (const a of attempts) {
    t0 = Math.min(t0, a.submit ?? a.start ?? t0);
    t1 = Math.max(t1, a.end ?? t1);
  }
  const span = Math.max(1, t1 - t0);
  const scale: Scale = {
    x: (t) => ((t - t0) / span) * CHART,
    end: (a: ReportAttempt) => a.end ?? t1,
  };
  const { tasks: crit, ms: critMs } = criticalPath(data, run.id);
  const critSet = new Set(crit);
  const byTask = new Map<number, ReportAttempt[]>();
  for (const a of attempts) {
    const list = byTask.get(a.taskIndex);
    if (list) list.push(a);
    else byTask.set(a.taskIndex, [a]);
  }
  const parts: string[] = [axis(span, t0)];
  for (const n of data.nodes) {
    const rows = n.tasks.filter((i) => byTask.has(i));
    if (rows.length === 0) continue;
    const drawn = taskRows(data, rows, byTask, critSet, scale);
    const single = n.tasks.length === 1 && data.tasks[n.tasks[0]!]!.instance === undefined;
    if (single) {
      parts.push(`<div class="node" data-node="${esc(n.id)}">${drawn}</div>`);
      continue;
    }
    const inNode = rows.flatMap((i) => byTask.get(i)!);
    const onPath = rows.some((i) => critSet.has(i));
    parts.push(
      `<details class="node" data-node="${esc(n.id)}"><summary>${nodeRow(n, rows.length, inNode, onPath, scale)}</summary>${drawn}</details>`,
    );
  }
  const ran = (run.end ?? t1) - run.start;
  const path = crit.map((i) => data.tasks[i]!.id);
  const shown =
    path.length > 30 ? [...path.slice(0, 15), `… ${path.length - 30} more …`, ...path.slice(-15)] : path;
  const pathText =
    path.length > 0
      ? `<p id="critical-path"><strong>Critical path</strong> (${path.length} task${path.length === 1 ? '' : 's'}: the chain of dependencies that took longest, ${esc(fmtSeconds(critMs / 1000))} of the run's ${esc(fmtSeconds(ran / 1000))}): ${shown.map((p) => `<code>${esc(p)}</code>`).join(' → ')}</p>`
      : '';
  return `${pathText}<p class="mute">From ${esc(fmtTime(t0))} to ${esc(fmtTime(t1))}. Open a node to see its tasks; hover a row for its attempts.</p><div class="tl">${parts.join('\n')}</div>`;
}

function axis(span: number, t0: number): string {
  const step = tickStep(span / 1000);
  const ticks: string[] = [];
  for (let s = 0; s * 1000 <= span + 1e-6; s += step) {
    const px = (LABEL + ((s * 1000) / span) * CHART).toFixed(1);
    ticks.push(
      `<line class="tick" x1="${px}" y1="${AXIS - 8}" x2="${px}" y2="${AXIS}"/><text x="${px}" y="${AXIS - 11}" text-anchor="middle">${esc(tickLabel(s, step))}</text>`,
    );
  }
  return `<svg class="axis" width="${WIDTH}" height="${AXIS}" viewBox="0 0 ${WIDTH} ${AXIS}" role="img"><title>time since ${esc(fmtTime(t0))}</title><text x="4" y="${AXIS - 11}">task</text>${ticks.join('')}<line class="tick" x1="${LABEL}" y1="${AXIS - 0.5}" x2="${LABEL + CHART}" y2="${AXIS - 0.5}"/></svg>`;
}

const STEPS = [
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400,
  21600, 43200, 86400, 172800, 604800,
];

function tickStep(seconds: number): number {
  for (const s of STEPS) if (seconds / s <= 10) return s;
  return STEPS[STEPS.length - 1]!;
}

function tickLabel(s: number, step: number): string {
  if (step < 1) return `${s.toFixed(step < 0.1 ? 2 : 1)}s`;
  return s === 0 ? '0' : formatDuration(s);
}
