import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Placement } from '../../exec/events.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult, Update } from '../contract.js';
import { GRACE_SECONDS } from '../launcher/launch.js';
import { readResult } from '../launcher/result.js';
import { RateLimiter } from '../slurm/rate.js';
import { type CommandRunner, execaRunner } from '../slurm/runner.js';
import { JobBook } from './book.js';
import { qdel, qdelTargets } from './cancel.js';
import { type ClusterInfo, DEFAULT_CLUSTER, readCluster } from './cluster.js';
import { withIndex } from './ids.js';
import { Ledger } from './ledger.js';
import { verdict } from './outcome.js';
import { Poller, type PollStats } from './poll.js';
import { defaultLocate, LEDGER, place } from './reattach.js';
import { Submitter } from './submit.js';

/** How a Grid Engine adapter is set up for one run. */
export interface SgeAdapterOptions {
  /** The run's sge folder (`<run dir>/sge`): scripts, Grid Engine's logs, the ledger. */
  readonly dir: string;
  /** Campaign name and run id; both go into every job name. */
  readonly campaign: string;
  readonly runId: string;
  /** Parallel environment for tasks of more than one core (`-pe <pe> <cores>`); none by default. */
  readonly pe?: string;
  /** Complex that carries a task's memory (default `h_vmem`; `none`: no memory request). */
  readonly memoryComplex?: string;
  /** Whether that complex counts per slot, as `h_vmem` does (default true): memory / cores each. */
  readonly memoryPerSlot?: boolean;
  /** Complex that carries a GPU request per slot (`gpu`); without one, GPU tasks are refused. */
  readonly gpuComplex?: string;
  /** Seconds between queue polls at the fastest (the campaign's `poll_interval`; default 2). */
  readonly pollInterval?: number;
  /** Seconds between polls when nothing changes for a while (default 30, at least `pollInterval`). */
  readonly maxPollInterval?: number;
  /** qsub calls per second at most (the campaign's `submit_rate`; default 5). */
  readonly submitRate?: number;
  /** Retries of a qsub that failed transiently (default 5), first backoff in ms (default 1000). */
  readonly submitRetries?: number;
  readonly retryBackoff?: number;
  /**
   * Seconds a result line may lag on a shared file system (default 10): how long the head
   * waits for one of an ended job, and a job for its upstream attempts' ones.
   */
  readonly resultGrace?: number;
  /** Seconds between TERM and KILL when a command reaches its limit (default 10). */
  readonly killGrace?: number;
  /** Milliseconds to gather `submit` calls into one batch (default 0: those of the same tick). */
  readonly coalesce?: number;
  /** Extra qsub arguments for every submission (e.g. `-h` in benchmarks), before the script. */
  readonly qsubArgs?: readonly string[];
  /** Whose jobs qstat lists (default: the current user). */
  readonly user?: string;
  /** Runs the Grid Engine commands (default: the real ones, with `env`). */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** The sge folder of an earlier run's handle (default: `runs/<run>/sge` from its files). */
  readonly locate?: (h: Handle) => string;
  /** The node binary and verifier module the jobs check outputs with (default: the head's). */
  readonly verifier?: { readonly node: string; readonly script: string };
  readonly now?: () => number;
}

/** What the adapter has done so far (for tests and benchmarks). */
export interface SgeStats {
  readonly poll: PollStats;
  readonly watched: number;
}

interface Waiting {
  readonly batch: readonly Submission[];
  readonly resolve: (r: readonly SubmitResult[]) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Runs attempts as Grid Engine jobs: submissions with equal requests become array jobs,
 * upstream handles become holds (`-hold_jid`, `-hold_jid_ad`) that each job checks against
 * its upstream attempts' result lines, one qstat per poll cycle watches everything, and the
 * generated scripts record each attempt's result line as the local launcher does.
 */
export class SgeAdapter implements SchedulerAdapter {
  readonly name = 'sge' as const;
  readonly admission = 'scheduler' as const;
  readonly nativeDependencies = true;
  readonly detachable = true;
  private onUpdate: (u: readonly Update[]) => void = () => {};
  private readonly run: CommandRunner;
  private readonly user: string;
  private readonly book = new JobBook();
  private readonly poller: Poller;
  private readonly submitter: Submitter;
  private readonly locate: (h: Handle) => string;
  private cluster: Promise<ClusterInfo> | undefined;
  private known: ClusterInfo = DEFAULT_CLUSTER;
  private waiting: Waiting[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Set when `qconf -sconf` did not answer: Grid Engine's defaults are used. */
  clusterWarning: string | undefined;

  constructor(private readonly opts: SgeAdapterOptions) {
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
      cluster: () => this.clusterInfo(),
      now,
      ...(opts.verifier ? { verifier: opts.verifier } : {}),
    });
  }

  start(onUpdate: (u: readonly Update[]) => void): void {
    this.onUpdate = onUpdate;
  }

  /**
   * Hands over a batch. Calls made in the same tick (or within `coalesce` ms) are submitted
   * together, so an engine that submits one attempt per call still gets array jobs.
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
      this.poller.watch(accepted);
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
   * Watches attempts of an earlier head. A handle with an empty job id (recorded as queued
   * before its job id was known) is found through its run's submission ledger and job name;
   * one that never reached Grid Engine ends `lost` unless it left a result. Everything known
   * goes to the engine in one batch before this resolves: each placed handle with its job id,
   * then what one poll saw (attempts that ended while no head watched are collected, and
   * failed ones that wait in the error state are deleted after what was held for them), then
   * the attempts that were never found.
   */
  async reattach(handles: readonly Handle[]): Promise<void> {
    await this.clusterInfo();
    const { placed, missing, error } = await place(handles, {
      run: this.run,
      user: this.user,
      locate: this.locate,
      book: this.book,
    });
    this.poller.watch(
      placed.map((p) => ({ handle: p.handle, name: p.name })),
      { nudge: false, fresh: false },
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
        // qstat did not answer: what left a result has ended all the same.
        for (const p of placed) {
          const result = readResult(p.handle.files.result);
          const u = result && this.poller.endNow(p.handle, verdict({ result }));
          if (u) updates.push(u);
        }
      }
    }
    for (const h of missing) {
      const result = readResult(h.files.result);
      const v = result
        ? verdict({ result })
        : {
            outcome: {},
            failure: 'lost' as const,
            message: error
              ? `cannot look the job up: ${error}`
              : 'no Grid Engine job was found for this attempt',
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

  async close(): Promise<void> {
    this.poller.close();
    await this.chain;
  }

  /** Where a handle's attempt runs, as views show it: its job id (`123.4` for an array task); one not yet placed has none. */
  placement(h: Handle): Placement {
    return h.jobId !== '' ? { jobId: h.jobId } : {};
  }

  get stats(): SgeStats {
    return { poll: this.poller.stats, watched: this.poller.size };
  }

  private clusterInfo(): Promise<ClusterInfo> {
    this.cluster ??= readCluster(this.run).then(({ info, warning }) => {
      this.known = info;
      this.clusterWarning = warning;
      return info;
    });
    return this.cluster;
  }
}
