import { stats } from '../../../plan/history.js';
import type { ReportData, TaskChange } from '../data.js';
import { fmtBytes, fmtSeconds, fmtTime } from '../format.js';
import { type Cell, esc, para, section, table } from '../html.js';

/** Tasks with the largest changes listed one by one. */
const TOP = 20;

/** `+12%`, `-3%`, `0%`. */
function delta(before: number | undefined, now: number | undefined): string {
  if (before === undefined || now === undefined || before === 0) return '-';
  const d = Math.round((100 * (now - before)) / before);
  return `${d > 0 ? '+' : ''}${d}%`;
}

/** The report's run against the previous run of the campaign: what ran again and why, what changed. */
export function compareSection(data: ReportData): string {
  const c = data.comparison;
  if (!c)
    return section(
      'compare',
      'Compared with the previous run',
      para('This is the first run of the campaign.'),
    );
  const prev = c.previous;
  const parts: string[] = [
    `<p>Against run <code>${esc(prev.id)}</code> (${esc(prev.status)}, started ${esc(fmtTime(prev.start))}). ${c.reruns.length} task${c.reruns.length === 1 ? '' : 's'} ran again; ${c.firstTime} ran for the first time.</p>`,
  ];
  if (c.reruns.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const r of c.reruns) {
      // Failure messages differ task by task; group by what comes before them.
      const key = r.reason.replace(/ \(.*\)$/, '');
      const list = byReason.get(key);
      if (list) list.push(r.task);
      else byReason.set(key, [r.task]);
    }
    const rows = [...byReason]
      .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
      .map(([reason, tasks]): Cell[] => [
        reason,
        { cell: tasks.length, cls: 'n' },
        tasks.slice(0, 5).join(', ') + (tasks.length > 5 ? ', …' : ''),
      ]);
    parts.push(
      '<h3>Why tasks ran again</h3>',
      table('rerun-reasons', ['reason', 'tasks', 'for example'], rows),
      `<details><summary>▸ every task that ran again (${c.reruns.length})</summary>${table(
        'reruns-table',
        ['task', 'why'],
        c.reruns.map((r) => [r.task, r.reason]),
      )}</details>`,
    );
  }
  if (c.changes.length === 0) {
    parts.push(para('No task succeeded in both runs: no durations or memory to compare.'));
    return section('compare', 'Compared with the previous run', parts.join('\n'));
  }
  const byNode = new Map<string, TaskChange[]>();
  for (const ch of c.changes) {
    const list = byNode.get(ch.node);
    if (list) list.push(ch);
    else byNode.set(ch.node, [ch]);
  }
  const median = (xs: (number | undefined)[]) =>
    stats(xs.filter((x): x is number => x !== undefined)).median ?? undefined;
  const max = (xs: (number | undefined)[]) =>
    stats(xs.filter((x): x is number => x !== undefined)).max ?? undefined;
  const secs = (ms: number | undefined) => (ms !== undefined ? fmtSeconds(ms / 1000) : '-');
  const mem = (kib: number | undefined) => (kib !== undefined ? fmtBytes(kib * 1024) : '-');
  const nodeRows = [...byNode].map(([node, list]): Cell[] => {
    const wb = median(list.map((x) => x.wallBefore));
    const wn = median(list.map((x) => x.wallNow));
    const pb = max(list.map((x) => x.peakBefore));
    const pn = max(list.map((x) => x.peakNow));
    return [
      node,
      { cell: list.length, cls: 'n' },
      { cell: `${secs(wb)} → ${secs(wn)}`, cls: 'n' },
      { cell: delta(wb, wn), cls: 'n' },
      { cell: `${mem(pb)} → ${mem(pn)}`, cls: 'n' },
      { cell: delta(pb, pn), cls: 'n' },
    ];
  });
  parts.push(
    '<h3>Durations and memory, per node (tasks that succeeded in both runs)</h3>',
    table(
      'changes-nodes',
      ['node', 'tasks', 'median wall before → now', 'change', 'max peak memory before → now', 'change'],
      nodeRows,
    ),
  );
  const rel = (b?: number, n?: number) => (b && n !== undefined ? Math.abs(n - b) / b : 0);
  const top = [...c.changes]
    .sort(
      (a, b) =>
        Math.max(rel(b.wallBefore, b.wallNow), rel(b.peakBefore, b.peakNow)) -
          Math.max(rel(a.wallBefore, a.wallNow), rel(a.peakBefore, a.peakNow)) ||
        a.task.localeCompare(b.task),
    )
    .slice(0, TOP);
  parts.push(
    `<h3>Largest changes (${top.length} of ${c.changes.length} tasks)</h3>`,
    table(
      'changes-tasks',
      ['task', 'wall before', 'wall now', 'change', 'peak before', 'peak now', 'change'],
      top.map((x): Cell[] => [
        x.task,
        { cell: secs(x.wallBefore), cls: 'n' },
        { cell: secs(x.wallNow), cls: 'n' },
        { cell: delta(x.wallBefore, x.wallNow), cls: 'n' },
        { cell: mem(x.peakBefore), cls: 'n' },
        { cell: mem(x.peakNow), cls: 'n' },
        { cell: delta(x.peakBefore, x.peakNow), cls: 'n' },
      ]),
    ),
  );
  return section('compare', 'Compared with the previous run', parts.join('\n'));
}
