import { userInfo } from 'node:os';
import { join } from 'node:path';
import { BatchAdapter, type Found, type Handed } from '../batch/adapter.js';
import { JobBook } from '../batch/book.js';
import { LEDGER, Ledger } from '../batch/ledger.js';
import type { BatchAdapterOptions, BatchStats } from '../batch/options.js';
import { RateLimiter } from '../batch/rate.js';
import { type CommandRunner, execaRunner } from '../batch/runner.js';
import type { Verdict } from '../batch/verdict.js';
import type { Handle, Submission } from '../contract.js';
import { GRACE_SECONDS } from '../launcher/launch.js';
import { qdel, qdelTargets } from './cancel.js';
import { type ClusterInfo, DEFAULT_CLUSTER, readCluster } from './cluster.js';
import { withIndex } from './ids.js';
import { verdict } from './outcome.js';
import { Poller } from './poll.js';
import { defaultLocate, place } from './reattach.js';
import { Submitter } from './submit.js';

/** How a Grid Engine adapter is set up for one run (`dir` is the run's sge folder). */
export interface SgeAdapterOptions extends BatchAdapterOptions {
  /** Parallel environment for tasks of more than one core (`-pe <pe> <cores>`); none by default. */
  readonly pe?: string;
  /** Complex that carries a task's memory (default `h_vmem`; `none`: no memory request). */
  readonly memoryComplex?: string;
  /** Whether that complex counts per slot, as `h_vmem` does (default true): memory / cores each. */
  readonly memoryPerSlot?: boolean;
  /** Complex that carries a GPU request per slot (`gpu`); without one, GPU tasks are refused. */
  readonly gpuComplex?: string;
  /**
   * Seconds a result line may lag on a shared file system (default 10): how long the head
   * waits for one of an ended job, and a job for its upstream attempts' ones.
   */
  readonly resultGrace?: number;
  /** Seconds between TERM and KILL when a command reaches its limit (default 10). */
  readonly killGrace?: number;
  /** Extra qsub arguments for every submission (e.g. `-h` in benchmarks), before the script. */
  readonly qsubArgs?: readonly string[];
  /** Whose jobs qstat lists (default: the current user). */
  readonly user?: string;
  /** The node binary and verifier module the jobs check outputs with (default: the head's). */
  readonly verifier?: { readonly node: string; readonly script: string };
}

/** What the adapter has done so far (for tests and benchmarks). */
export type SgeStats = BatchStats;

/**
 * Runs attempts as Grid Engine jobs: submissions with equal requests become array jobs,
 * upstream handles become holds (`-hold_jid`, `-hold_jid_ad`) that each job checks against
 * its upstream attempts' result lines, one qstat per poll cycle watches everything, and the
 * generated scripts record each attempt's result line as the local launcher does.
 */
export class SgeAdapter extends BatchAdapter<ClusterInfo> {
  readonly name = 'sge' as const;
  protected readonly label = 'Grid Engine';
  protected readonly poller: Poller;
  private readonly run: CommandRunner;
  private readonly user: string;
  private readonly book = new JobBook();
  private readonly submitter: Submitter;
  private readonly locate: (h: Handle) => string;
  private known: ClusterInfo = DEFAULT_CLUSTER;
  /** Set when `qconf -sconf` did not answer: Grid Engine's defaults are used. */
  clusterWarning: string | undefined;

  constructor(private readonly opts: SgeAdapterOptions) {
    super(opts.coalesce ?? 0);
    if (/[\n\r]/.test(opts.dir))
      throw new Error(`the sge folder ${JSON.stringify(opts.dir)} has a line break`);
    const now = opts.now ?? Date.now;
    this.run = opts.run ?? execaRunner(opts.env);
    this.user = opts.user ?? userInfo().username;
    this.locate = opts.locate ?? defaultLocate;
    const minInterval = Math.max(0.1, opts.pollInterval ?? 2) * 1000;
    const resultGrace = opts.resultGrace ?? 10;
    this.poller = new Poller({
      run: this.run,
      user: this.user,
      book: this.book,
      minInterval,
      maxInterval: Math.max(minInterval, (opts.maxPollInterval ?? 30) * 1000),
      resultGrace: resultGrace * 1000,
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
      user: this.user,
      retries: opts.submitRetries ?? 5,
      backoff: opts.retryBackoff ?? 1000,
      qsubArgs: opts.qsubArgs ?? [],
      site: {
        ...(opts.pe ? { pe: opts.pe } : {}),
        ...(opts.memoryComplex ? { memoryComplex: opts.memoryComplex } : {}),
        ...(opts.memoryPerSlot !== undefined ? { memoryPerSlot: opts.memoryPerSlot } : {}),
        ...(opts.gpuComplex ? { gpuComplex: opts.gpuComplex } : {}),
        killGrace: opts.killGrace ?? GRACE_SECONDS,
      },
      resultGrace,
      book: this.book,
      ledger: new Ledger(join(opts.dir, LEDGER)),
      cluster: () => this.siteSettings(),
      now,
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
    });
  }

  protected async hand(all: readonly Submission[]): Promise<Handed> {
    const handed = await this.submitter.submit(all);
    this.poller.watch(handed.accepted);
    return handed;
  }

  /**
   * Deletes with one qdel for all of them (whole array jobs where every watched task goes).
   * Grid Engine kills at once (SIGKILL; there is no grace period to skip). Never rejects (the
   * engine does not wait for it): a qdel that keeps failing is retried three times, then left
   * in `stats.poll.lastError`, and the attempts end as Grid Engine ends them.
   */
  async cancel(handles: readonly Handle[], _opts: { force?: boolean } = {}): Promise<void> {
    const given = handles.map(withIndex);
    const targets = qdelTargets(given, this.poller.watchedIds());
    this.poller.markCancelling(given.map((h) => h.jobId));
    let delay = this.opts.retryBackoff ?? 1000;
    for (let attempt = 0; ; attempt++) {
      const error = await qdel(this.run, targets);
      if (!error) return;
      if (attempt >= 3) {
        this.poller.stats.failures++;
        this.poller.stats.lastError = error;
        return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }

  /**
   * Finds an earlier head's jobs; failed ones that wait in the error state are deleted after
   * what was held for them, once the poll has seen them.
   */
  protected async find(handles: readonly Handle[]): Promise<Found> {
    const found = await place(handles, {
      run: this.run,
      user: this.user,
      locate: this.locate,
      book: this.book,
    });
    this.poller.watch(
      found.placed.map((p) => ({ handle: p.handle, name: p.name })),
      { nudge: false, fresh: false },
    );
    return found;
  }

  protected judge(result: Parameters<typeof verdict>[0]['result']): Verdict {
    return verdict({ result });
  }

  protected readSite(): Promise<ClusterInfo> {
    return readCluster(this.run).then(({ info, warning }) => {
      this.known = info;
      this.clusterWarning = warning;
      return info;
    });
  }
}
