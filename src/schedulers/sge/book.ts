/**
 * What this head knows about the jobs it handed to Grid Engine: the size of each array job
 * (its tasks are 1..size; -hold_jid_ad needs equal ranges), how jobs ended, and which
 * attempts were submitted to wait for which, so that the attempts held for a failed one are
 * given up before Grid Engine lets them go.
 */
export class JobBook {
  private readonly arrays = new Map<string, number>();
  private readonly ended = new Map<string, { readonly ok: boolean; readonly at: number }>();
  /** Upstream job id (plain or `job.task`) → job ids of the attempts held for it. */
  private readonly held = new Map<string, Set<string>>();

  addArray(arrayJobId: string, size: number): void {
    this.arrays.set(arrayJobId, Math.max(size, this.arrays.get(arrayJobId) ?? 0));
  }

  /** The number of tasks of an array this head submitted or reattached, if known. */
  sizeOf(arrayJobId: string): number | undefined {
    return this.arrays.get(arrayJobId);
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
