import { join } from 'node:path';
import type { Placement } from '../../exec/events.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult, Update } from '../contract.js';
import { readResult } from '../launcher/result.js';
import { withIndex } from './array-spec.js';
import { JobBook } from './book.js';
import { scancelTargets } from './cancel.js';
import { type ClusterLimits, DEFAULT_LIMITS, readLimits } from './cluster.js';
import { Ledger } from './ledger.js';
import { verdict } from './outcome.js';
import { Poller, type PollStats } from './poll.js';
import { RateLimiter } from './rate.js';
import { defaultLocate, LEDGER, place } from './reattach.js';
import { type CommandRunner, execaRunner, firstLine } from './runner.js';
import { Submitter } from './submit.js';

/** How a Slurm adapter is set up for one run. */
export interface SlurmAdapterOptions {
  /** The run's slurm folder (`<run dir>/slurm`): scripts, Slurm's own logs, the ledger. */
  readonly dir: string;
  /** Campaign name and run id; both go into every job name. */
  readonly campaign: string;
  readonly runId: string;
  /** Seconds between queue polls at the fastest (the campaign's `poll_interval`; default 2). */
  readonly pollInterval?: number;
  /** Seconds between polls when nothing changes for a while (default 30, at least `pollInterval`). */
  readonly maxPollInterval?: number;
  /** sbatch calls per second at most (the campaign's `submit_rate`; default 5). */
  readonly submitRate?: number;
  /** Retries of an sbatch that failed transiently (default 5), first backoff in ms (default 1000). */
  readonly submitRetries?: number;
  readonly retryBackoff?: number;
  /** Seconds an ended job may lack its result line before Slurm's word alone decides (default 10). */
  readonly resultGrace?: number;
  /** Milliseconds to gather `submit` calls into one batch (default 0: those of the same tick). */
  readonly coalesce?: number;
  /** Extra sbatch arguments for every submission (e.g. `--hold` in benchmarks). */
  readonly sbatchArgs?: readonly string[];
  /** Runs the Slurm commands (default: the real ones, with `env`). */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** The slurm folder of an earlier run's handle (default: `runs/<run>/slurm` from its files). */
  readonly locate?: (h: Handle) => string;
  readonly now?: () => number;
}

/** What the adapter has done so far (for tests and benchmarks). */
export interface SlurmStats {
  readonly poll: PollStats;
  readonly watched: number;
}

interface Waiting {
  readonly batch: readonly Submission[];
  readonly resolve: (r: readonly SubmitResult[]) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Runs attempts as Slurm jobs: submissions with equal requests become job arrays, upstream
 * handles become native dependencies, one squeue per poll cycle watches everything, and the
 * generated scripts record each attempt's result line as the local launcher does.
 */
export class SlurmAdapter implements SchedulerAdapter {
  readonly name = 'slurm' as const;
  readonly admission = 'scheduler' as const;
  readonly nativeDependencies = true;
  readonly detachable = true;
  private onUpdate: (u: readonly Update[]) => void = () => {};
  private readonly run: CommandRunner;
  private readonly book = new JobBook();
  private readonly poller: Poller;
  private readonly submitter: Submitter;
  private readonly locate: (h: Handle) => string;
  private limits: Promise<ClusterLimits> | undefined;
  private known: ClusterLimits = DEFAULT_LIMITS;
  private waiting: Waiting[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Set when `scontrol show config` did not answer: Slurm's defaults are used. */
  limitsWarning: string | undefined;

  constructor(private readonly opts: SlurmAdapterOptions) {
    if (/[\n\r]/.test(opts.dir))
      throw new Error(`the slurm folder ${JSON.stringify(opts.dir)} has a line break`);
    const now = opts.now ?? Date.now;
    this.run = opts.run ?? execaRunner(opts.env);
    this.locate = opts.locate ?? defaultLocate;
    const minInterval = Math.max(0.1, opts.pollInterval ?? 2) * 1000;
    this.poller = new Poller({
      run: this.run,
      book: this.book,
      minInterval,
      maxInterval: Math.max(minInterval, (opts.maxPollInterval ?? 30) * 1000),
      resultGrace: (opts.resultGrace ?? 10) * 1000,
      accounting: () => this.known.accounting,
      emit: (u) => this.onUpdate(u),
      now,
    });
    this.submitter = new Submitter({
      dir: opts.dir,
      campaign: opts.campaign,
      runId: opts.runId,
      run: this.run,
      rate: new RateLimiter(opts.submitRate ?? 5, now),
      retries: opts.submitRetries ?? 5,
      backoff: opts.retryBackoff ?? 1000,
      sbatchArgs: opts.sbatchArgs ?? [],
      book: this.book,
      ledger: new Ledger(join(opts.dir, LEDGER)),
      limits: () => this.clusterLimits(),
      now,
    });
  }

  start(onUpdate: (u: readonly Update[]) => void): void {
    this.onUpdate = onUpdate;
  }

  /**
   * Hands over a batch. Calls made in the same tick (or within `coalesce` ms) are submitted
   * together, so an engine that submits one attempt per call still gets job arrays.
   */
  submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      if (this.flushTimer) return;
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        const taken = this.waiting;
        this.waiting = [];
        // One flush at a time: a later batch may wait on jobs of an earlier one.
        this.chain = this.chain.then(() => this.flush(taken));
      }, this.opts.coalesce ?? 0);
    });
  }

  private async flush(taken: readonly Waiting[]): Promise<void> {
    const all = taken.flatMap((w) => w.batch);
    try {
      const { results, accepted } = await this.submitter.submit(all);
      this.poller.watch(accepted.map((a) => ({ ...a, logDir: this.opts.dir })));
      if (accepted.length > 0)
        this.onUpdate(
          accepted.map((a) => ({ kind: 'queued', handle: a.handle, where: { jobId: a.handle.jobId } })),
        );
      let at = 0;
      for (const w of taken) {
        w.resolve(results.slice(at, at + w.batch.length));
        at += w.batch.length;
      }
    } catch (e) {
      for (const w of taken) w.reject(e);
    }
  }

  /** Cancels with one scancel for all of them; Slurm's KillWait is the grace period. */
  async cancel(handles: readonly Handle[], _opts: { force?: boolean } = {}): Promise<void> {
    const targets = scancelTargets(handles.map(withIndex), this.poller.watchedIds());
    this.poller.markCancelling(handles.map((h) => h.jobId));
    for (let i = 0; i < targets.length; i += 2000) {
      const r = await this.run('scancel', targets.slice(i, i + 2000));
      if (r.exitCode !== 0 && !/Invalid job id|already completing or completed/i.test(r.stderr)) {
        throw new Error(`scancel: ${firstLine(r)}`);
      }
    }
  }

  /**
   * Watches attempts of an earlier head. A handle with an empty job id (recorded as queued
   * before its job id was known) is found through its run's submission ledger and job name;
   * one that never reached Slurm ends `lost` unless it left a result. Everything known goes to
   * the engine in one batch before this resolves: each placed handle with its job id (so that
   * work handed over next can wait for it), then what one poll saw (attempts that ended while
   * no head watched are collected, not waited on), then the attempts that were never found.
   */
  async reattach(handles: readonly Handle[]): Promise<void> {
    await this.clusterLimits();
    const { placed, missing, error } = await place(handles, {
      run: this.run,
      locate: this.locate,
      book: this.book,
    });
    this.poller.watch(
      placed.map((p) => ({ handle: p.handle, logDir: p.logDir })),
      false,
    );
    const updates: Update[] = placed.map((p) => ({
      kind: 'queued',
      handle: p.handle,
      where: { jobId: p.handle.jobId },
    }));
    if (placed.length > 0) {
      const polled = await this.poller.pollNow();
      updates.push(...polled.updates);
      if (!polled.ok) {
        // squeue did not answer: what left a result has ended all the same.
        for (const p of placed) {
          const result = readResult(p.handle.files.result);
          const u = result && this.poller.endNow(p.handle, verdict({ result, memoryKilled: false }));
          if (u) updates.push(u);
        }
      }
    }
    for (const h of missing) {
      const result = readResult(h.files.result);
      const v = result
        ? verdict({ result, memoryKilled: false })
        : {
            outcome: {},
            failure: 'lost' as const,
            message: error ? `cannot look the job up: ${error}` : 'no Slurm job was found for this attempt',
          };
      updates.push({
        kind: 'ended',
        handle: h,
        outcome: v.outcome,
        ...(v.failure ? { failure: v.failure } : {}),
        ...(v.message ? { message: v.message } : {}),
      });
    }
    if (updates.length > 0) this.onUpdate(updates);
  }

  /** A Slurm attempt is its job (array task) id; one not yet placed has none. */
  placement(h: Handle): Placement {
    return h.jobId !== '' ? { jobId: h.jobId } : {};
  }

  async close(): Promise<void> {
    this.poller.close();
    await this.chain;
  }

  get stats(): SlurmStats {
    return { poll: this.poller.stats, watched: this.poller.size };
  }

  private clusterLimits(): Promise<ClusterLimits> {
    this.limits ??= readLimits(this.run).then(({ limits, warning }) => {
      this.known = limits;
      this.limitsWarning = warning;
      return limits;
    });
    return this.limits;
  }
}
