/**
 * What this head knows about the jobs it handed to a batch scheduler: the indices of each
 * array job (to tell a dependency on a whole array, to hold on equal ranges, and to cancel
 * whole arrays), how jobs ended, and which attempts were submitted to wait for which, so
 * that the attempts held for a failed one can be given up where the scheduler would let
 * them go.
 */
export class JobBook {
  private readonly arrays = new Map<string, { readonly indices: Set<number>; largest: number }>();
  private readonly ended = new Map<string, { readonly ok: boolean; readonly at: number }>();
  /** Upstream job id (plain or array task) → job ids of the attempts held for it. */
  private readonly held = new Map<string, Set<string>>();

  addArray(arrayJobId: string, indices: Iterable<number>): void {
    let a = this.arrays.get(arrayJobId);
    if (!a) {
      a = { indices: new Set<number>(), largest: 0 };
      this.arrays.set(arrayJobId, a);
    }
    for (const i of indices) {
      a.indices.add(i);
      if (i > a.largest) a.largest = i;
    }
  }

  /** The indices of an array this head submitted or reattached, if known. */
  members(arrayJobId: string): ReadonlySet<number> | undefined {
    return this.arrays.get(arrayJobId)?.indices;
  }

  /** The largest index of an array this head submitted or reattached, if known (its size where tasks count from 1). */
  sizeOf(arrayJobId: string): number | undefined {
    return this.arrays.get(arrayJobId)?.largest;
  }

  markEnded(jobId: string, ok: boolean, at: number): void {
    this.ended.set(jobId, { ok, at });
  }

  /** How a job ended, if this head saw it end. */
  endOf(jobId: string): { readonly ok: boolean; readonly at: number } | undefined {
    return this.ended.get(jobId);
  }

  /** Records that `dependent` waits for each of `upstreams`. */
  addHold(dependent: string, upstreams: Iterable<string>): void {
    for (const u of upstreams) {
      const set = this.held.get(u) ?? new Set<string>();
      set.add(dependent);
      this.held.set(u, set);
    }
  }

  /** The attempts held for this one, directly or through others, nearest first. */
  heldFor(jobId: string): string[] {
    const out: string[] = [];
    const seen = new Set([jobId]);
    const queue = [jobId];
    while (queue.length > 0) {
      const id = queue.shift()!;
      for (const d of this.held.get(id) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        out.push(d);
        queue.push(d);
      }
    }
    return out;
  }
}
