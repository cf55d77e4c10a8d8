import type { Placement } from '../../exec/events.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult, Update } from '../contract.js';
import { readResult } from '../launcher/result.js';
import { SubmitBatcher } from './batcher.js';
import type { BatchStats } from './options.js';
import type { BatchPoller, WatchedBase } from './poller.js';
import { type Placed, queuedUpdates, unplacedUpdates } from './reattach.js';
import type { Verdict } from './verdict.js';

type Result = NonNullable<ReturnType<typeof readResult>>;

/** What a batch scheduler's submitter hands back: a result per submission, and what it took. */
export interface Handed {
  readonly results: readonly SubmitResult[];
  readonly accepted: readonly { readonly handle: Handle }[];
}

/** Where reattach found an earlier head's attempts. */
export interface Found {
  readonly placed: readonly Placed[];
  readonly missing: readonly Handle[];
  readonly error?: string | undefined;
}

/**
 * What every batch adapter does the same way: coalescing submissions into batches, `queued`
 * updates with the job id, the order of reattach (placed, one poll, then the unplaced), the
 * job id as placement, the site's settings read once. A scheduler brings its submission, its
 * cancel, how it finds and watches jobs of an earlier head, and how it judges a result line.
 */
export abstract class BatchAdapter<Site> implements SchedulerAdapter {
  abstract readonly name: string;
  readonly admission = 'scheduler' as const;
  readonly nativeDependencies = true;
  readonly detachable = true;
  protected onUpdate: (u: readonly Update[]) => void = () => {};
  protected abstract readonly poller: BatchPoller<WatchedBase, Verdict>;
  /** How messages name the scheduler ("Grid Engine"). */
  protected abstract readonly label: string;
  private readonly batcher: SubmitBatcher;
  private site: Promise<Site> | undefined;

  constructor(coalesce: number) {
    this.batcher = new SubmitBatcher(coalesce, (all) => this.send(all));
  }

  /** Submits and starts watching what the scheduler took. */
  protected abstract hand(all: readonly Submission[]): Promise<Handed>;
  /** Finds the jobs of an earlier head's attempts and starts watching them. */
  protected abstract find(handles: readonly Handle[]): Promise<Found>;
  /** How an attempt that left this result line ended. */
  protected abstract judge(result: Result): Verdict;
  /** Reads the site's settings (limits, accounting) from the scheduler. */
  protected abstract readSite(): Promise<Site>;
  abstract cancel(handles: readonly Handle[], opts?: { force?: boolean }): Promise<void>;

  start(onUpdate: (u: readonly Update[]) => void): void {
    this.onUpdate = onUpdate;
  }

  /**
   * Hands over a batch. Calls made in the same tick (or within `coalesce` ms) are submitted
   * together, so an engine that submits one attempt per call still gets array jobs.
   */
  submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]> {
    return this.batcher.submit(batch);
  }

  private async send(all: readonly Submission[]): Promise<readonly SubmitResult[]> {
    const { results, accepted } = await this.hand(all);
    if (accepted.length > 0)
      this.onUpdate(
        accepted.map((a) => ({ kind: 'queued', handle: a.handle, where: { jobId: a.handle.jobId } })),
      );
    return results;
  }

  /**
   * Watches attempts of an earlier head. A handle with an empty job id (recorded as queued
   * before its job id was known) is found through its run's submission ledger and job name;
   * one that never reached the scheduler ends `lost` unless it left a result. Everything known
   * goes to the engine in one batch before this resolves: each placed handle with its job id
   * (so that work handed over next can wait for it), then what one poll saw (attempts that
   * ended while no head watched are collected, not waited on), then the attempts never found.
   */
  async reattach(handles: readonly Handle[]): Promise<void> {
    await this.siteSettings();
    const { placed, missing, error } = await this.find(handles);
    const updates = queuedUpdates(placed);
    if (placed.length > 0) {
      const polled = await this.poller.pollNow();
      updates.push(...polled.updates);
      if (!polled.ok) {
        // The queue did not answer: what left a result has ended all the same.
        for (const p of placed) {
          const result = readResult(p.handle.files.result);
          if (result) updates.push(...this.poller.endNow(p.handle, this.judge(result)));
        }
      }
    }
    updates.push(...unplacedUpdates(missing, (r) => this.judge(r), this.label, error));
    if (updates.length > 0) this.onUpdate(updates);
  }

  /** An attempt is its job (array task) id; one not yet placed has none. */
  placement(h: Handle): Placement {
    return h.jobId !== '' ? { jobId: h.jobId } : {};
  }

  async close(): Promise<void> {
    this.poller.close();
    await this.batcher.drained();
  }

  get stats(): BatchStats {
    return { poll: this.poller.stats, watched: this.poller.size };
  }

  /** The site's settings, read from the scheduler once. */
  protected siteSettings(): Promise<Site> {
    this.site ??= this.readSite();
    return this.site;
  }
}
