import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
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
import { qdel, qdelTargets } from './cancel.js';
import { runPrefix } from './job-name.js';
import { type EndFacts, phaseOf, UNSATISFIABLE, type Verdict, verdict } from './outcome.js';
import { type AccountingRecord, queryAccounting } from './qacct.js';
import { errorReasons, queryQueue } from './qstat.js';

/** An attempt being watched. */
interface Watched extends WatchedBase {
  /** The job's name (accounting is looked up by its run's prefix); empty when unknown. */
  readonly name: string;
  readonly memory?: string;
  /** Listed by qstat at least once (a qmaster may list a new job late). */
  seen: boolean;
  /** Submitted by this head (a reattached job may have run while no head watched). */
  readonly fresh: boolean;
}

/** What `watch` takes: a handle and what its verdict needs. */
export interface WatchItem {
  readonly handle: Handle;
  readonly limit?: number;
  readonly name?: string;
  readonly memory?: string;
}

/** How long a job this head submitted may stay unlisted before it counts as gone, ms. */
const UNLISTED_GRACE = 30_000;

export interface PollerConfig extends PollTiming {
  readonly run: CommandRunner;
  /** Whose jobs qstat lists. */
  readonly user: string;
  readonly book: JobBook;
  /** How long an ended job may lack its result line (shared file systems lag), ms. */
  readonly resultGrace: number;
  readonly accounting: () => boolean;
}

/**
 * Watches every attempt of the run with one qstat call per cycle, whatever their number.
 * Jobs in the error state (Eqw: every failed attempt, since the wrapper exits 100) are judged
 * and deleted, after the attempts held for them, in one qdel.
 */
export class Poller extends BatchPoller<Watched, Verdict> {
  /** Jobs to delete that a failed qdel left in the queue. */
  private undeleted: Handle[] = [];

  constructor(private readonly cfg: PollerConfig) {
    super(cfg);
  }

  /**
   * Watches these attempts; `nudge: false` leaves the first poll to the caller (`pollNow`),
   * `fresh: false` marks attempts of an earlier head (they may have run unseen).
   */
  watch(items: readonly WatchItem[], opts: { nudge?: boolean; fresh?: boolean } = {}): void {
    this.track(
      items.map((it) => ({
        handle: it.handle,
        name: it.name ?? '',
        running: false,
        cancelling: false,
        seen: false,
        fresh: opts.fresh ?? true,
        ...(it.limit !== undefined ? { limit: it.limit } : {}),
        ...(it.memory !== undefined ? { memory: it.memory } : {}),
      })),
      opts.nudge ?? true,
    );
  }

  /** Nothing to watch and nothing left to delete. */
  protected override idle(): boolean {
    return this.watched.size === 0 && this.undeleted.length === 0;
  }

  /** One cycle: what changed, as updates. */
  protected override async poll(): Promise<Cycle> {
    const entries = [...this.watched.values()];
    this.stats.cycles++;
    const q = await queryQueue(this.cfg.run, this.cfg.user);
    if (!q.ok) {
      this.stats.failures++;
      this.stats.lastError = q.message;
      return { ok: false, updates: [] };
    }
    const now = this.cfg.now();
    const updates: Update[] = [];
    /** Jobs to delete: those in the error state, and what was held for them. */
    const remove: Handle[] = [];
    const unexplained: { w: Watched; state: string }[] = [];
    const gone: Watched[] = [];
    for (const w of entries) {
      const row = q.rows.get(w.handle.jobId);
      if (!row) {
        gone.push(w);
        continue;
      }
      w.seen = true;
      const phase = phaseOf(row.state);
      if (phase === 'queued') continue;
      if (phase === 'running') {
        if (!w.running) {
          w.running = true;
          updates.push(running(w.handle, row.host));
        }
        continue;
      }
      // Error state: a failed attempt (its result line says how), one given up by its
      // wrapper, or a job Grid Engine could not start (its reason from qstat -j).
      const result = readResult(w.handle.files.result);
      if (w.cancelling) this.end(w, cancelled(this.judge(w, { state: row.state })), updates, now);
      else if (result) this.end(w, this.judge(w, { state: row.state, result }), updates, now);
      else if (this.givenUp(w)) this.giveUp(w, updates, now);
      else if (waited(w, now) >= this.cfg.resultGrace) unexplained.push({ w, state: row.state });
      else continue;
      remove.push(w.handle);
    }
    if (unexplained.length > 0) {
      const reasons = await errorReasons(
        this.cfg.run,
        unexplained.map((u) => u.w.handle.jobId),
      );
      for (const { w, state } of unexplained) {
        const reason = reasons.get(w.handle.jobId) ?? '';
        this.end(w, this.judge(w, { state, reason }), updates, now);
      }
    }
    const unknown: Watched[] = [];
    for (const w of gone) {
      const result = readResult(w.handle.files.result);
      if (w.cancelling) this.end(w, cancelled(this.judge(w, result ? { result } : {})), updates, now);
      else if (result) this.end(w, this.judge(w, { result }), updates, now);
      else if (this.givenUp(w)) this.giveUp(w, updates, now);
      else unknown.push(w);
    }
    if (unknown.length > 0) {
      const records = this.cfg.accounting() ? await this.accounting(unknown) : new Map();
      for (const w of unknown) {
        const record = records.get(w.handle.jobId);
        const killed = record && (record.failed !== 0 || record.exitStatus > 128);
        const listed = w.seen || !!record || !w.fresh;
        const grace = listed ? this.cfg.resultGrace : Math.max(this.cfg.resultGrace, UNLISTED_GRACE);
        if (killed || waited(w, now) >= grace) {
          const ran = w.running || !!record || !w.fresh;
          this.end(w, this.judge(w, { ...(record ? { record } : {}), ran }), updates, now);
        }
      }
    }
    remove.unshift(...this.release(updates, now));
    // What a failed qdel left behind goes again first (given-up attempts before failed ones).
    const targets = [...this.undeleted, ...remove];
    if (targets.length > 0) {
      const error = await qdel(this.cfg.run, qdelTargets(targets, []));
      this.undeleted = error ? targets : [];
      if (error) {
        this.stats.failures++;
        this.stats.lastError = error;
      }
    }
    return { ok: true, updates };
  }

  /**
   * Gives up the attempts held for those that failed in this cycle (directly or through
   * others), farthest first: Grid Engine would let them run once their upstream job is
   * deleted. Returns their handles, to be deleted before the failed jobs.
   */
  private release(updates: Update[], now: number): Handle[] {
    const out: Handle[] = [];
    const failed = updates.filter((u) => u.kind === 'unsatisfiable' || (u.kind === 'ended' && u.failure));
    for (const u of failed) {
      for (const id of this.cfg.book.heldFor(u.handle.jobId).reverse()) {
        const w = this.watched.get(id);
        if (!w || w.running || w.cancelling) continue;
        out.push(w.handle);
        this.giveUp(w, updates, now, `${UNSATISFIABLE}: ${u.handle.taskId} (job ${u.handle.jobId})`);
      }
    }
    return out;
  }

  /** The accounting records of these jobs, one qacct per run prefix of their names. */
  private async accounting(ws: readonly Watched[]): Promise<Map<string, AccountingRecord>> {
    const out = new Map<string, AccountingRecord>();
    const prefixes = new Set(ws.map((w) => runPrefix(w.name)).filter((p) => p !== ''));
    for (const p of prefixes) {
      for (const [id, r] of await queryAccounting(this.cfg.run, `${p}*`)) out.set(id, r);
    }
    return out;
  }

  private judge(w: Watched, facts: Partial<EndFacts>): Verdict {
    const f: EndFacts = {
      ...facts,
      ...(w.limit !== undefined ? { limit: w.limit } : {}),
      ...(w.memory !== undefined ? { memory: w.memory } : {}),
    };
    if (f.result && w.memory && (f.result.exit !== 0 || f.result.signal !== 0))
      return verdict({ ...f, stderrTail: tail(w.handle.files.err, 4096) });
    return verdict(f);
  }

  /** Whether the wrapper gave the attempt up (an upstream did not succeed). */
  private givenUp(w: Watched): boolean {
    try {
      return readFileSync(`${w.handle.files.result}.unsatisfiable`, 'utf8').startsWith('unsatisfiable');
    } catch {
      return false;
    }
  }

  private giveUp(w: Watched, updates: Update[], now: number, message = UNSATISFIABLE): void {
    this.watched.delete(w.handle.jobId);
    this.cfg.book.markEnded(w.handle.jobId, false, now);
    updates.push({ kind: 'unsatisfiable', handle: w.handle, message });
  }

  protected override end(w: Watched, v: Verdict, updates: Update[], now: number): void {
    // A job that ran between two polls (it has a wall time) still shows that it started.
    if (!w.running && v.outcome.wallMs !== undefined) updates.push(running(w.handle, ''));
    this.watched.delete(w.handle.jobId);
    this.cfg.book.markEnded(w.handle.jobId, !v.failure, now);
    updates.push(endedUpdate(w.handle, v));
  }
}

const cancelled = (v: Verdict): Verdict => ({
  ...v,
  outcome: { ...v.outcome, schedulerState: 'deleted' },
  failure: 'cancelled',
  message: 'cancelled',
});

/** The last `bytes` of a file, or '' when it cannot be read. */
function tail(path: string, bytes: number): string {
  let fd: number | undefined;
  try {
    const size = statSync(path).size;
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(Math.min(size, bytes));
    readSync(fd, buf, 0, buf.length, Math.max(0, size - bytes));
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
