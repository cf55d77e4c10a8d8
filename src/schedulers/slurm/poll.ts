import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Handle, Update } from '../contract.js';
import { readResult } from '../launcher/result.js';
import { baseId } from './array-spec.js';
import type { JobBook } from './book.js';
import { DEPENDENCY_NEVER_SATISFIED, dependencyFailed, phaseOf, type Verdict, verdict } from './outcome.js';
import type { CommandRunner } from './runner.js';
import { queryAccounting } from './sacct.js';
import { type QueueRow, queryQueue } from './squeue.js';

/** An attempt being watched. */
interface Watched {
  readonly handle: Handle;
  readonly limit?: number;
  /** Folder of Slurm's own log of the job (the run's slurm folder). */
  readonly logDir: string;
  running: boolean;
  cancelling: boolean;
  /** When the job was first seen ended (or gone) with no result line yet. */
  endSeenAt?: number;
}

export interface PollerConfig {
  readonly run: CommandRunner;
  readonly book: JobBook;
  /** Fastest polling, ms: never more often than this. */
  readonly minInterval: number;
  /** Slowest polling when nothing changes, ms. */
  readonly maxInterval: number;
  /** How long an ended job may lack its result line (shared file systems lag), ms. */
  readonly resultGrace: number;
  readonly accounting: () => boolean;
  readonly emit: (updates: readonly Update[]) => void;
  readonly now: () => number;
}

/** Counters for tests and benchmarks. */
export interface PollStats {
  cycles: number;
  failures: number;
  lastError?: string;
}

const MEMORY_KILL = /exceeded (job )?memory limit|oom[-_ ]kill|out of memory/i;

/**
 * Watches every attempt of the run with one squeue call per cycle, whatever their number,
 * and turns what changed into batches of updates. The interval starts at `minInterval`,
 * grows by half when a cycle sees no change (up to `maxInterval`) and drops back on change.
 */
export class Poller {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private interval: number;
  private lastStart = Number.NEGATIVE_INFINITY;
  private busy = false;
  private again = false;
  private closed = false;
  readonly stats: PollStats = { cycles: 0, failures: 0 };

  constructor(private readonly cfg: PollerConfig) {
    this.interval = cfg.minInterval;
  }

  /** Watches these attempts; `nudge: false` leaves the first poll to the caller (`pollNow`). */
  watch(items: readonly { handle: Handle; limit?: number; logDir: string }[], nudge = true): void {
    for (const it of items) {
      this.watched.set(it.handle.jobId, {
        handle: it.handle,
        logDir: it.logDir,
        running: false,
        cancelling: false,
        ...(it.limit !== undefined ? { limit: it.limit } : {}),
      });
    }
    if (nudge) this.nudge();
  }

  /**
   * One cycle at once, its updates returned instead of emitted (reattach delivers them with
   * its own, in one batch); `ok` is false when squeue did not answer. Polling goes on after.
   */
  async pollNow(): Promise<{ ok: boolean; updates: Update[] }> {
    while (this.busy) await new Promise((r) => setTimeout(r, 10));
    this.busy = true;
    this.lastStart = this.cfg.now();
    let out: { ok: boolean; updates: Update[] } = { ok: false, updates: [] };
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

  /** Ends a watched attempt now with this verdict (reattach, when squeue cannot tell). */
  endNow(handle: Handle, v: Verdict): Update | undefined {
    const w = this.watched.get(handle.jobId);
    if (!w) return undefined;
    const updates: Update[] = [];
    this.end(w, v, updates, this.cfg.now());
    return updates[0];
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
    this.interval = this.cfg.minInterval;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.schedule(Math.max(0, this.lastStart + this.cfg.minInterval - this.cfg.now()));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (this.closed || this.watched.size === 0) return;
    const at = this.cfg.now() + delay;
    if (this.timer && this.dueAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, delay);
  }

  private async cycle(): Promise<void> {
    if (this.closed || this.watched.size === 0) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.again = false;
    this.lastStart = this.cfg.now();
    let changed = false;
    try {
      const { updates } = await this.poll();
      if (updates.length > 0) this.cfg.emit(updates);
      changed = updates.length > 0;
    } catch (e) {
      this.stats.failures++;
      this.stats.lastError = (e as Error).message;
    }
    this.busy = false;
    if (changed || this.again) this.interval = this.cfg.minInterval;
    else this.interval = Math.min(this.cfg.maxInterval, Math.round(this.interval * 1.5));
    const next = this.again
      ? Math.max(0, this.lastStart + this.cfg.minInterval - this.cfg.now())
      : this.interval;
    this.schedule(next);
  }

  /** One cycle: what changed, as updates. */
  private async poll(): Promise<{ ok: boolean; updates: Update[] }> {
    const entries = [...this.watched.values()];
    this.stats.cycles++;
    const q = await queryQueue(
      this.cfg.run,
      entries.map((w) => w.handle.jobId),
    );
    if (!q.ok) {
      this.stats.failures++;
      this.stats.lastError = q.message;
      return { ok: false, updates: [] };
    }
    const now = this.cfg.now();
    const updates: Update[] = [];
    const neverRun: string[] = [];
    const gone: Watched[] = [];
    const liveArrays = new Set([...q.rows.keys()].filter((id) => id.includes('_')).map(baseId));
    for (const w of entries) {
      const row = q.rows.get(w.handle.jobId);
      if (!row) {
        gone.push(w);
        continue;
      }
      const phase = phaseOf(row.state);
      if (phase === 'queued') {
        if (row.reason === DEPENDENCY_NEVER_SATISFIED) {
          neverRun.push(w.handle.jobId);
          this.end(w, dependencyFailed(), updates, now);
        }
        continue;
      }
      if (phase === 'running') {
        if (!w.running) {
          w.running = true;
          updates.push(running(w.handle, row.host));
        }
        continue;
      }
      this.ended(w, row, now, updates);
    }
    const unknown: Watched[] = [];
    for (const w of gone) {
      const result = readResult(w.handle.files.result);
      const facts = { memoryKilled: false, ...(result ? { result } : {}), ...limitOf(w) };
      if (w.cancelling) this.end(w, cancelled(verdict(facts)), updates, now);
      else if (result) this.end(w, verdict(facts), updates, now);
      else if (!w.running && w.handle.arrayIndex !== undefined && liveArrays.has(baseId(w.handle.jobId))) {
        // A pending task cancelled on its own leaves its array without a trace.
        this.end(
          w,
          {
            outcome: { schedulerState: 'CANCELLED' },
            failure: 'cancelled',
            message: 'cancelled while pending',
          },
          updates,
          now,
        );
      } else unknown.push(w);
    }
    if (unknown.length > 0) {
      const acct = this.cfg.accounting()
        ? await queryAccounting(
            this.cfg.run,
            unknown.map((w) => w.handle.jobId),
          )
        : new Map<string, QueueRow>();
      for (const w of unknown) {
        const row = acct.get(w.handle.jobId);
        if (row && phaseOf(row.state) === 'ended') this.ended(w, row, now, updates);
        else if (waited(w, now) >= this.cfg.resultGrace)
          this.end(w, verdict({ memoryKilled: false }), updates, now);
      }
    }
    if (neverRun.length > 0) await this.cfg.run('scancel', neverRun);
    return { ok: true, updates };
  }

  /** A job Slurm reports ended: judged now, or once its result line shows up (or the grace ends). */
  private ended(w: Watched, row: QueueRow, now: number, updates: Update[]): void {
    const result = readResult(w.handle.files.result);
    const killed9 = result ? result.signal === 9 : row.exit.signal === 9;
    const memoryKilled =
      (row.state === 'FAILED' || row.state === 'OUT_OF_MEMORY') && killed9 && this.logSaysMemory(w);
    const expectsResult = row.state === 'COMPLETED' || row.state === 'FAILED';
    if (!result && expectsResult && !memoryKilled && waited(w, now) < this.cfg.resultGrace) return;
    if (!w.running && (result || row.host)) {
      w.running = true;
      updates.push(running(w.handle, row.host));
    }
    const facts = {
      state: row.state,
      reason: row.reason,
      exit: row.exit,
      memoryKilled,
      ...(result ? { result } : {}),
      ...limitOf(w),
    };
    this.end(
      w,
      w.cancelling && row.state !== 'COMPLETED' ? cancelled(verdict(facts)) : verdict(facts),
      updates,
      now,
    );
  }

  private end(w: Watched, v: Verdict, updates: Update[], now: number): void {
    this.watched.delete(w.handle.jobId);
    this.cfg.book.markEnded(w.handle.jobId, !v.failure, now);
    if (v.outcome.schedulerState === DEPENDENCY_NEVER_SATISFIED && !w.cancelling) {
      // Not an end of the attempt's own: the engine skips it or hands it over anew.
      updates.push({ kind: 'unsatisfiable', handle: w.handle, ...(v.message ? { message: v.message } : {}) });
      return;
    }
    updates.push({
      kind: 'ended',
      handle: w.handle,
      outcome: v.outcome,
      ...(v.failure ? { failure: v.failure } : {}),
      ...(v.message ? { message: v.message } : {}),
    });
  }

  private logSaysMemory(w: Watched): boolean {
    // Slurm's log is `slurm-%A_%a.log` for array tasks, `slurm-%j.log` for jobs: the job id.
    try {
      return MEMORY_KILL.test(readFileSync(join(w.logDir, `slurm-${w.handle.jobId}.log`), 'utf8'));
    } catch {
      return false;
    }
  }
}

/** How long the job has been seen ended without its result line. */
function waited(w: Watched, now: number): number {
  w.endSeenAt ??= now;
  return now - w.endSeenAt;
}

/** A `running` update, with where it runs: the job id and the node Slurm names. */
function running(handle: Handle, host: string): Update {
  return {
    kind: 'running',
    handle,
    where: { jobId: handle.jobId, ...(host ? { host } : {}) },
    ...(host ? { host } : {}),
  };
}

const limitOf = (w: Watched) => (w.limit !== undefined ? { limit: w.limit } : {});

const cancelled = (v: Verdict): Verdict => ({ ...v, failure: 'cancelled', message: 'cancelled' });
