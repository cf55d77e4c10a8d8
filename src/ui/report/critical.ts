import type { ReportData } from './data.js';

/**
 * The observed critical path of a run: the chain of dependencies that took longest, each task
 * weighed by the time from its first attempt's start to its last attempt's end in the run
 * (retries included). No amount of free cores could have made the run shorter than it.
 * Returns task indices (`ReportData.tasks`), first to last, and the chain's length in ms.
 *
 * Tasks are taken in the order they started, which is a topological order of what ran (a
 * task starts after its dependencies end). A dependency on a node whose tasks cannot be
 * paired with the task (`ReportTask.after`) is its task that had ended, at the task's start,
 * with the longest chain.
 */
export function criticalPath(data: ReportData, run: string): { tasks: number[]; ms: number } {
  const span = new Map<number, { start: number; end: number }>();
  for (const a of data.attempts) {
    if (!a.runs.includes(run) || a.end === undefined) continue;
    const begin = a.start ?? a.end;
    const s = span.get(a.taskIndex);
    if (!s) span.set(a.taskIndex, { start: begin, end: a.end });
    else {
      s.start = Math.min(s.start, begin);
      s.end = Math.max(s.end, a.end);
    }
  }
  // Ends before starts at the same moment: a dependent starts once its dependency has ended.
  const events: [time: number, kind: 0 | 1, task: number][] = [];
  for (const [t, s] of span) events.push([s.start, 1, t], [s.end, 0, t]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const total = new Map<number, number>();
  const via = new Map<number, number>();
  /** Per node, its ended task with the longest chain so far. */
  const ended = new Map<string, number>();
  for (const [, kind, t] of events) {
    const task = data.tasks[t]!;
    if (kind === 0) {
      const best = ended.get(task.node);
      if (best === undefined || total.get(t)! > total.get(best)!) ended.set(task.node, t);
      continue;
    }
    let into = 0;
    let from: number | undefined;
    const consider = (p: number | undefined) => {
      const chain = p !== undefined ? total.get(p) : undefined;
      if (chain !== undefined && (from === undefined || chain > into)) {
        into = chain;
        from = p;
      }
    };
    for (const p of task.preds) consider(p);
    for (const node of task.after ?? []) consider(ended.get(node));
    const s = span.get(t)!;
    total.set(t, into + (s.end - s.start));
    if (from !== undefined) via.set(t, from);
  }
  let last: number | undefined;
  for (const [t, chain] of total)
    if (last === undefined || chain > total.get(last)! || (chain === total.get(last) && t < last)) last = t;
  if (last === undefined) return { tasks: [], ms: 0 };
  const path: number[] = [];
  for (let t: number | undefined = last; t !== undefined; t = via.get(t)) path.push(t);
  return { tasks: path.reverse(), ms: total.get(last)! };
}
