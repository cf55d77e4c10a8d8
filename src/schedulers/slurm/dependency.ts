import type { Handle } from '../contract.js';
import { baseId } from './array-spec.js';

/**
 * How one submission waits for its upstream jobs, in the form that lets equal waits share an
 * array: not at all; task i after task i of some arrays (`aftercorr`); after a set of jobs.
 */
export type Wait =
  | { readonly kind: 'none' }
  | { readonly kind: 'corr'; readonly arrays: readonly string[]; readonly index: number }
  | { readonly kind: 'ok'; readonly jobs: readonly string[] };

/** The indices of an array job this head knows, to tell a dependency on all of it. */
export type ArrayMembers = (arrayJobId: string) => ReadonlySet<number> | undefined;

/**
 * Classifies the upstream handles of one submission. One task of each of several arrays, all
 * at the same index, is a `corr` wait (the submission can take that index in an array that
 * waits with `aftercorr`); anything else waits with `afterok` on whole arrays where every
 * task of the array is upstream, else on the single tasks and jobs.
 */
export function classify(after: readonly Handle[], members: ArrayMembers): Wait {
  if (after.length === 0) return { kind: 'none' };
  const index = after[0]!.arrayIndex;
  const arrays = new Set(after.map((h) => baseId(h.jobId)));
  if (
    index !== undefined &&
    arrays.size === after.length &&
    after.every((h) => h.arrayIndex === index && h.jobId.includes('_'))
  ) {
    return { kind: 'corr', arrays: [...arrays].sort(), index };
  }
  return { kind: 'ok', jobs: okJobs(after, members) };
}

/** The job ids an `afterok` needs: whole arrays where all their tasks are upstream. */
export function okJobs(after: readonly Handle[], members: ArrayMembers): string[] {
  const byArray = new Map<string, Set<number>>();
  const jobs = new Set<string>();
  for (const h of after) {
    if (h.arrayIndex === undefined || !h.jobId.includes('_')) {
      jobs.add(h.jobId);
      continue;
    }
    const base = baseId(h.jobId);
    const set = byArray.get(base) ?? new Set<number>();
    set.add(h.arrayIndex);
    byArray.set(base, set);
  }
  for (const [base, got] of byArray) {
    const all = members(base);
    if (all && all.size > 0 && [...all].every((i) => got.has(i))) jobs.add(base);
    else for (const i of got) jobs.add(`${base}_${i}`);
  }
  return [...jobs].sort(compareIds);
}

/** The `--dependency` value of a wait, if it waits. */
export function dependencyOf(w: Wait): string | undefined {
  if (w.kind === 'corr') return `aftercorr:${w.arrays.join(':')}`;
  if (w.kind === 'ok') return `afterok:${w.jobs.join(':')}`;
  return undefined;
}

/** Numeric order of job ids (`9` < `10`, `10_2` < `10_10`). */
export function compareIds(a: string, b: string): number {
  const [a1, a2] = a.split('_').map(Number);
  const [b1, b2] = b.split('_').map(Number);
  return (a1 ?? 0) - (b1 ?? 0) || (a2 ?? -1) - (b2 ?? -1);
}
