import { join } from 'node:path';
import { BatchAdapter, type Found, type Handed } from '../batch/adapter.js';
import { JobBook } from '../batch/book.js';
import { LEDGER, Ledger } from '../batch/ledger.js';
import type { BatchAdapterOptions, BatchStats } from '../batch/options.js';
import { RateLimiter } from '../batch/rate.js';
import { type CommandRunner, execaRunner, firstLine } from '../batch/runner.js';
import type { Verdict } from '../batch/verdict.js';
import type { Handle, Submission } from '../contract.js';
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
export class SlurmAdapter extends BatchAdapter<ClusterLimits> {
  readonly name = 'slurm' as const;
  protected readonly label = 'Slurm';
  protected readonly poller: Poller;
  private readonly run: CommandRunner;
  private readonly book = new JobBook();
  private readonly submitter: Submitter;
  private readonly locate: (h: Handle) => string;
  private known: ClusterLimits = DEFAULT_LIMITS;
  /** Set when `scontrol show config` did not answer: Slurm's defaults are used. */
  limitsWarning: string | undefined;

  constructor(private readonly opts: SlurmAdapterOptions) {
    super(opts.coalesce ?? 0);
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
      limits: () => this.siteSettings(),
      now,
    });
  }

  protected async hand(all: readonly Submission[]): Promise<Handed> {
    const handed = await this.submitter.submit(all);
    this.poller.watch(handed.accepted.map((a) => ({ ...a, logDir: this.opts.dir })));
    return handed;
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

  protected async find(handles: readonly Handle[]): Promise<Found> {
    const found = await place(handles, { run: this.run, locate: this.locate, book: this.book });
    this.poller.watch(
      found.placed.map((p) => ({ handle: p.handle, logDir: p.dir })),
      false,
    );
    return found;
  }

  protected judge(result: Parameters<typeof verdict>[0]['result']): Verdict {
    return verdict({ result, memoryKilled: false });
  }

  protected readSite(): Promise<ClusterLimits> {
    return readLimits(this.run).then(({ limits, warning }) => {
      this.known = limits;
      this.limitsWarning = warning;
      return limits;
    });
  }
}
