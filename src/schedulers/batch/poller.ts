import type { Handle, Update } from '../contract.js';

/** What every watched attempt carries; each adapter adds what its verdicts need. */
export interface WatchedBase {
  readonly handle: Handle;
  readonly limit?: number;
  running: boolean;
  cancelling: boolean;
  /** When the job was first seen ended (or gone) with no result line yet. */
  endSeenAt?: number;
}

/** How often a poller looks at the queue, and where its updates go. */
export interface PollTiming {
  /** Fastest polling, ms: never more often than this. */
  readonly minInterval: number;
  /** Slowest polling when nothing changes, ms. */
  readonly maxInterval: number;
  readonly emit: (updates: readonly Update[]) => void;
  readonly now: () => number;
}

/** Counters for tests and benchmarks. */
export interface PollStats {
  cycles: number;
  failures: number;
  lastError?: string;
}

/** What one look at the queue gave: `ok` is false when the scheduler did not answer. */
export interface Cycle {
  readonly ok: boolean;
  readonly updates: Update[];
}

/**
 * Watches every attempt of a run with one look at the queue per cycle (`poll`, one query of
 * the scheduler whatever the number of attempts), and emits what changed in batches. The
 * interval starts at `minInterval`, grows by half when a cycle sees no change (up to
 * `maxInterval`) and drops back on change. Cycles never overlap. Each adapter says what one
 * cycle sees and how an attempt ends; the timing is the same for all.
 */
export abstract class BatchPoller<W extends WatchedBase, V> {
  protected readonly watched = new Map<string, W>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private interval: number;
  private lastStart = Number.NEGATIVE_INFINITY;
  private busy = false;
  private again = false;
  private closed = false;
  readonly stats: PollStats = { cycles: 0, failures: 0 };

  constructor(protected readonly timing: PollTiming) {
    this.interval = timing.minInterval;
  }

  /** One look at the queue: what changed, as updates. */
  protected abstract poll(): Promise<Cycle>;

  /** Ends a watched attempt with this verdict: removes it and pushes its update. */
  protected abstract end(w: W, v: V, updates: Update[], now: number): void;

  /** Whether there is nothing left to poll for. */
  protected idle(): boolean {
    return this.watched.size === 0;
  }

  /** Watches these attempts; `nudge: false` leaves the first poll to the caller (`pollNow`). */
  protected track(items: Iterable<W>, nudge: boolean): void {
    for (const w of items) this.watched.set(w.handle.jobId, w);
    if (nudge) this.nudge();
  }

  /**
   * One cycle at once, its updates returned instead of emitted (reattach delivers them with
   * its own, in one batch). Polling goes on after.
   */
  async pollNow(): Promise<Cycle> {
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    this.busy = true;
    this.lastStart = this.timing.now();
    let out: Cycle = { ok: false, updates: [] };
    try {
      out = await this.poll();
    } catch (e) {
      this.stats.failures++;
      this.stats.lastError = (e as Error).message;
    }
    this.busy = false;
    this.nudge();
    return out;
  }

  /** Ends a watched attempt now with this verdict (reattach, when the queue cannot tell). */
  endNow(handle: Handle, v: V): Update[] {
    const w = this.watched.get(handle.jobId);
    if (!w) return [];
    const updates: Update[] = [];
    this.end(w, v, updates, this.timing.now());
    return updates;
  }

  /** Attempts being cancelled by us: however they end now, they end cancelled. */
  markCancelling(jobIds: readonly string[]): void {
    for (const id of jobIds) {
      const w = this.watched.get(id);
      if (w) w.cancelling = true;
    }
    this.nudge();
  }

  /** Job ids still watched (for whole-array cancels). */
  watchedIds(): IterableIterator<string> {
    return this.watched.keys();
  }

  get size(): number {
    return this.watched.size;
  }

  /** Polls as soon as the minimum interval allows, and resets the backoff. */
  nudge(): void {
    this.interval = this.timing.minInterval;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.schedule(Math.max(0, this.lastStart + this.timing.minInterval - this.timing.now()));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (this.closed || this.idle()) return;
    const at = this.timing.now() + delay;
    if (this.timer && this.dueAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, delay);
  }

  private async cycle(): Promise<void> {
    if (this.closed || this.idle()) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.again = false;
    this.lastStart = this.timing.now();
    let changed = false;
    try {
      const { updates } = await this.poll();
      if (updates.length > 0) this.timing.emit(updates);
      changed = updates.length > 0;
    } catch (e) {
      this.stats.failures++;
      this.stats.lastError = (e as Error).message;
    }
    this.busy = false;
    if (changed || this.again) this.interval = this.timing.minInterval;
    else this.interval = Math.min(this.timing.maxInterval, Math.round(this.interval * 1.5));
    const next = this.again
      ? Math.max(0, this.lastStart + this.timing.minInterval - this.timing.now())
      : this.interval;
    this.schedule(next);
  }
}

/** How long the job has been seen ended (or gone) without its result line. */
export function waited(w: WatchedBase, now: number): number {
  w.endSeenAt ??= now;
  return now - w.endSeenAt;
}

/** A `running` update, with where it runs: the job id and the host the scheduler names. */
export function running(handle: Handle, host: string): Update {
  return {
    kind: 'running',
    handle,
    where: { jobId: handle.jobId, ...(host ? { host } : {}) },
    ...(host ? { host } : {}),
  };
}
