import type { Handle } from '../contract.js';
import { baseId, compareIds } from './ids.js';

/**
 * How one submission waits for its upstream jobs, in the form that lets equal waits share an
 * array job: not at all; task i after task i of some array jobs of one size (`-hold_jid_ad`);
 * after whole jobs (`-hold_jid`: a plain job, or every task of an array job).
 */
export type Wait =
  | { readonly kind: 'none' }
  | { readonly kind: 'ad'; readonly arrays: readonly string[]; readonly index: number; readonly size: number }
  | { readonly kind: 'jobs'; readonly jobs: readonly string[] };

/** The number of tasks of an array job this head knows (its tasks are 1..size). */
export type ArraySize = (arrayJobId: string) => number | undefined;

/**
 * Classifies the upstream handles of one submission. One task of each of several array jobs,
 * all at the same index and all of the same known size, is an `ad` wait: the submission can
 * take that index in an array job of that size held with `-hold_jid_ad` (Grid Engine rejects
 * it unless the ranges are equal). Anything else holds on whole jobs: Grid Engine cannot hold
 * a job for a single task of an array, so a task's whole array is waited for.
 */
export function classify(after: readonly Handle[], sizeOf: ArraySize): Wait {
  if (after.length === 0) return { kind: 'none' };
  const index = after[0]!.arrayIndex;
  const arrays = [...new Set(after.map((h) => baseId(h.jobId)))].sort(compareIds);
  const size = sizeOf(arrays[0]!);
  if (
    index !== undefined &&
    size !== undefined &&
    arrays.length === after.length &&
    after.every((h) => h.arrayIndex === index && h.jobId.includes('.')) &&
    arrays.every((a) => sizeOf(a) === size)
  ) {
    return { kind: 'ad', arrays, index, size };
  }
  return { kind: 'jobs', jobs: arrays };
}

/** The qsub arguments of a wait. */
export function holdArgs(w: Wait): string[] {
  if (w.kind === 'ad') return ['-hold_jid_ad', w.arrays.join(',')];
  if (w.kind === 'jobs') return ['-hold_jid', w.jobs.join(',')];
  return [];
}

/** A wait as a string: submissions with equal keys can share an array job. */
export function waitKey(w: Wait): string {
  if (w.kind === 'ad') return `ad:${w.size}:${w.arrays.join(',')}`;
  if (w.kind === 'jobs') return `jobs:${w.jobs.join(',')}`;
  return '';
}
