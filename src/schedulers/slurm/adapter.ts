import { join } from 'node:path';
import type { Placement } from '../../exec/events.js';
import { SubmitBatcher } from '../batch/batcher.js';
import { JobBook } from '../batch/book.js';
import { LEDGER, Ledger } from '../batch/ledger.js';
import type { BatchAdapterOptions, BatchStats } from '../batch/options.js';
import { RateLimiter } from '../batch/rate.js';
import { queuedUpdates, unplacedUpdates } from '../batch/reattach.js';
import { type CommandRunner, execaRunner, firstLine } from '../batch/runner.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult, Update } from '../contract.js';
import { readResult } from '../launcher/result.js';
import { withIndex } from './array-spec.js';
import { scancelTargets } from './cancel.js';
import { type ClusterLimits, DEFAULT_LIMITS, readLimits } from './cluster.js';
import { verdict } from './outcome.js';
import { Poller } from './poll.js';
import { defaultLocate, place } from './reattach.js';
import { Submitter } from './submit.js';

/** How a Slurm adapter is set up for one run (`dir` is the run's slurm folder). */
export interface SlurmAdapterOptions extends BatchAdapterOptions {
  /** Extra sbatch arguments for every submission (e.g. `--hold` in benchmarks). */
  readonly sbatchArgs?: readonly string[];
}

/** What the adapter has done so far (for tests and benchmarks). */
export type SlurmStats = BatchStats;

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
  private readonly batcher: SubmitBatcher;
  private readonly locate: (h: Handle) => string;
  private limits: Promise<ClusterLimits> | undefined;
  private known: ClusterLimits = DEFAULT_LIMITS;
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
    this.batcher = new SubmitBatcher(opts.coalesce ?? 0, (all) => this.send(all));
  }

  start(onUpdate: (u: readonly Update[]) => void): void {
    this.onUpdate = onUpdate;
  }

  /**
   * Hands over a batch. Calls made in the same tick (or within `coalesce` ms) are submitted
   * together, so an engine that submits one attempt per call still gets job arrays.
   */
  submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]> {
    return this.batcher.submit(batch);
  }

  private async send(all: readonly Submission[]): Promise<readonly SubmitResult[]> {
    const { results, accepted } = await this.submitter.submit(all);
    this.poller.watch(accepted.map((a) => ({ ...a, logDir: this.opts.dir })));
    if (accepted.length > 0)
      this.onUpdate(
        accepted.map((a) => ({ kind: 'queued', handle: a.handle, where: { jobId: a.handle.jobId } })),
      );
    return results;
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
      placed.map((p) => ({ handle: p.handle, logDir: p.dir })),
      false,
    );
    const updates = queuedUpdates(placed);
    if (placed.length > 0) {
      const polled = await this.poller.pollNow();
      updates.push(...polled.updates);
      if (!polled.ok) {
        // squeue did not answer: what left a result has ended all the same.
        for (const p of placed) {
          const result = readResult(p.handle.files.result);
          if (result) updates.push(...this.poller.endNow(p.handle, verdict({ result, memoryKilled: false })));
        }
      }
    }
    updates.push(
      ...unplacedUpdates(missing, (result) => verdict({ result, memoryKilled: false }), 'Slurm', error),
    );
    if (updates.length > 0) this.onUpdate(updates);
  }

  /** A Slurm attempt is its job (array task) id; one not yet placed has none. */
  placement(h: Handle): Placement {
    return h.jobId !== '' ? { jobId: h.jobId } : {};
  }

  async close(): Promise<void> {
    this.poller.close();
    await this.batcher.drained();
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
