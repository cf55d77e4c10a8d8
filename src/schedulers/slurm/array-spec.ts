/** Sorted distinct indices as Slurm's `--array` list: `0-99`, `1,3,5-9`; `%N` caps how many run. */
export function arraySpec(indices: readonly number[], throttle?: number): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}${throttle !== undefined && throttle > 0 ? `%${throttle}` : ''}`;
}

/** The array job id of a job id: `123` for `123_4`, the id itself for a plain job. */
export function baseId(jobId: string): string {
  const u = jobId.indexOf('_');
  return u < 0 ? jobId : jobId.slice(0, u);
}

/**
 * Expands a job id as squeue prints it: `123_4` and `123` as they are, a folded pending range
 * `123_[0-5,7%2]` into `123_0` ... `123_7`.
 */
export function expandJobId(id: string): string[] {
  const m = /^(\d+)_\[([^\]]*)\]$/.exec(id);
  if (!m) return [id];
  const out: string[] = [];
  for (const part of m[2]!.split('%')[0]!.split(',')) {
    const [a, b] = part.split('-');
    const from = Number(a);
    const to = b === undefined ? from : Number(b);
    if (!Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let k = from; k <= to; k++) out.push(`${m[1]}_${k}`);
  }
  return out;
}

/** A handle with `arrayIndex` filled in from a `123_4` job id (journals may keep only the id). */
export function withIndex<H extends { readonly jobId: string; readonly arrayIndex?: number }>(h: H): H {
  if (h.arrayIndex !== undefined) return h;
  const m = /^\d+_(\d+)$/.exec(h.jobId);
  return m ? { ...h, arrayIndex: Number(m[1]) } : h;
}
