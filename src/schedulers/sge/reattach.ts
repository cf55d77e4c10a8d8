import type { JobBook } from '../batch/book.js';
import type { LedgerEntry } from '../batch/ledger.js';
import { locateIn, type Placed, place as placeIn } from '../batch/reattach.js';
import type { CommandRunner } from '../batch/runner.js';
import type { Handle } from '../contract.js';
import { taskJobId, withIndex } from './ids.js';
import { findByName } from './qstat.js';

/**
 * The sge folder of the run that made a handle: `runs/<run>/sge`, beside the run's `tasks`
 * folder where its attempt files live (docs/state.md).
 */
export const defaultLocate = locateIn('sge');

/** How `place` looks Grid Engine jobs up; injectable for tests. */
export interface PlaceOptions {
  readonly run: CommandRunner;
  readonly user: string;
  readonly locate: (h: Handle) => string;
  readonly book: JobBook;
  /** Which scripts a qsub still works on, and waiting for those (default: from /proc). */
  readonly inFlight?: (scripts: readonly string[]) => string[];
  readonly waitForQsub?: (scripts: readonly string[]) => Promise<unknown>;
  readonly retries?: number;
  readonly backoff?: number;
}

/**
 * Gives job ids to handles recorded without one (the head died between its journal and
 * qsub's answer), through the run's submission ledger and the job's unique name in qstat;
 * array sizes and holds the ledgers know go into the book (see the shared `place`).
 */
export function place(
  handles: readonly Handle[],
  opts: PlaceOptions,
): Promise<{ placed: Placed[]; missing: Handle[]; error?: string }> {
  return placeIn(handles, {
    locate: opts.locate,
    findByName: (names) => findByName(opts.run, opts.user, names),
    withIndex,
    taskJobId,
    learn: (e, jobId) => learn(opts.book, e, jobId),
    ...(opts.inFlight ? { inFlight: opts.inFlight } : {}),
    ...(opts.waitForQsub ? { waitForSubmissions: opts.waitForQsub } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoff !== undefined ? { backoff: opts.backoff } : {}),
  });
}

/** Enters a submitted script's array tasks and holds in the book. */
function learn(book: JobBook, e: LedgerEntry, jobId: string): void {
  if (e.array)
    book.addArray(
      jobId,
      e.members.map((m) => m.index),
    );
  for (const m of e.members) {
    book.addHold(e.array ? taskJobId(jobId, m.index) : jobId, [...e.upstreams, ...m.upstreams]);
  }
}
