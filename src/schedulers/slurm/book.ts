import { baseId } from './array-spec.js';

/**
 * What this head knows about the jobs it handed to Slurm: the indices of each job array (to
 * tell a dependency on a whole array, and to cancel whole arrays) and how jobs ended.
 */
export class JobBook {
  private readonly arrays = new Map<string, Set<number>>();
  private readonly ended = new Map<string, { readonly ok: boolean; readonly at: number }>();

  addArray(arrayJobId: string, indices: Iterable<number>): void {
    const set = this.arrays.get(arrayJobId) ?? new Set<number>();
    for (const i of indices) set.add(i);
    this.arrays.set(arrayJobId, set);
  }

  /** The indices of an array this head submitted or reattached, if known. */
  members(arrayJobId: string): ReadonlySet<number> | undefined {
    return this.arrays.get(arrayJobId);
  }

  markEnded(jobId: string, ok: boolean, at: number): void {
    this.ended.set(jobId, { ok, at });
  }

  /** How a job ended, if this head saw it end. */
  endOf(jobId: string): { readonly ok: boolean; readonly at: number } | undefined {
    return this.ended.get(jobId) ?? (jobId.includes('_') ? undefined : this.ended.get(baseId(jobId)));
  }
}
