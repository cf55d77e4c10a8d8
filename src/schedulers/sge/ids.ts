/**
 * Grid Engine job ids as handles carry them: `123` for a plain job, `123.4` for task 4 of
 * array job 123 (the `job.task` form qdel and qstat -j take). Array tasks count from 1.
 */

/** The job id of a job or array task id: `123` for `123.4`. */
export function baseId(jobId: string): string {
  const dot = jobId.indexOf('.');
  return dot < 0 ? jobId : jobId.slice(0, dot);
}

/** The id of task `index` of array job `job`. */
export const taskJobId = (job: string, index: number) => `${job}.${index}`;

/** A handle with `arrayIndex` filled in from a `123.4` job id (journals may keep only the id). */
export function withIndex<H extends { readonly jobId: string; readonly arrayIndex?: number }>(h: H): H {
  if (h.arrayIndex !== undefined) return h;
  const m = /^\d+\.(\d+)$/.exec(h.jobId);
  return m ? { ...h, arrayIndex: Number(m[1]) } : h;
}

/**
 * The task ids of a Grid Engine task range as qstat prints it: `4`, `1-10:1`, `2-10:2`,
 * `1,3,5-7:1`. Anything that does not parse gives no ids.
 */
export function expandTasks(range: string): number[] {
  const out: number[] = [];
  for (const part of range.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+)(?::(\d+))?)?\s*$/.exec(part);
    if (!m) continue;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    const step = Math.max(1, Number(m[3] ?? 1));
    for (let i = from; i <= to; i += step) out.push(i);
  }
  return out;
}

/** Sorted distinct task ids as ranges: `1-3`, `5`, `7-9` (for `qdel 123.1-3 123.5`). */
export function taskRanges(indices: Iterable<number>): string[] {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out;
}

/** Numeric order of job ids (`9` < `10`, `10.2` < `10.10`). */
export function compareIds(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return (a1 ?? 0) - (b1 ?? 0) || (a2 ?? -1) - (b2 ?? -1);
}
