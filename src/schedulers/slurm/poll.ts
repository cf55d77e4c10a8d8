import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobBook } from '../batch/book.js';
import {
  BatchPoller,
  type Cycle,
  type PollTiming,
  running,
  type WatchedBase,
  waited,
} from '../batch/poller.js';
import type { CommandRunner } from '../batch/runner.js';
import { endedUpdate } from '../batch/verdict.js';
import type { Handle, Update } from '../contract.js';
import { readResult } from '../launcher/result.js';
import { baseId } from './array-spec.js';
import { DEPENDENCY_NEVER_SATISFIED, dependencyFailed, phaseOf, type Verdict, verdict } from './outcome.js';
import { queryAccounting } from './sacct.js';
import { type QueueRow, queryQueue } from './squeue.js';

/** An attempt being watched. */
interface Watched extends WatchedBase {
  /** Folder of Slurm's own log of the job (the run's slurm folder). */
  readonly logDir: string;
}

export interface PollerConfig extends PollTiming {
  readonly run: CommandRunner;
  readonly book: JobBook;
  /** How long an ended job may lack its result line (shared file systems lag), ms. */
  readonly resultGrace: number;
  readonly accounting: () => boolean;
}

const MEMORY_KILL = /exceeded (job )?memory limit|oom[-_ ]kill|out of memory/i;

/**
 * Watches every attempt of the run with one squeue call per cycle, whatever their number
 * (sacct only for jobs squeue no longer lists and that left no result line); a job whose
 * dependency can never be satisfied is cancelled and reported unsatisfiable.
 */
export class Poller extends BatchPoller<Watched, Verdict> {
  constructor(private readonly cfg: PollerConfig) {
    super(cfg);
  }

  /** Watches these attempts; `nudge: false` leaves the first poll to the caller (`pollNow`). */
  watch(items: readonly { handle: Handle; limit?: number; logDir: string }[], nudge = true): void {
    this.track(
      items.map((it) => ({
        handle: it.handle,
        logDir: it.logDir,
        running: false,
        cancelling: false,
        ...(it.limit !== undefined ? { limit: it.limit } : {}),
      })),
      nudge,
    );
  }

  /** One cycle: what changed, as updates. */
  protected override async poll(): Promise<Cycle> {
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

  protected override end(w: Watched, v: Verdict, updates: Update[], now: number): void {
    this.watched.delete(w.handle.jobId);
    this.cfg.book.markEnded(w.handle.jobId, !v.failure, now);
    if (v.outcome.schedulerState === DEPENDENCY_NEVER_SATISFIED && !w.cancelling) {
      // Not an end of the attempt's own: the engine skips it or hands it over anew.
      updates.push({ kind: 'unsatisfiable', handle: w.handle, ...(v.message ? { message: v.message } : {}) });
      return;
    }
    updates.push(endedUpdate(w.handle, v));
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

const limitOf = (w: Watched) => (w.limit !== undefined ? { limit: w.limit } : {});

const cancelled = (v: Verdict): Verdict => ({ ...v, failure: 'cancelled', message: 'cancelled' });
