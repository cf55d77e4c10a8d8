import type { JobBook } from '../batch/book.js';
import { locateIn, type Placed, place as placeIn } from '../batch/reattach.js';
import type { CommandRunner } from '../batch/runner.js';
import type { Handle } from '../contract.js';
import { withIndex } from './array-spec.js';
import { findByName } from './squeue.js';

/**
 * The slurm folder of the run that made a handle: `runs/<run>/slurm`, beside the run's
 * `tasks` folder where its attempt files live (docs/state.md).
 */
export const defaultLocate = locateIn('slurm');

/** How `place` looks Slurm jobs up; injectable for tests. */
export interface PlaceOptions {
  readonly run: CommandRunner;
  readonly locate: (h: Handle) => string;
  readonly book: JobBook;
  /** Which scripts an sbatch still works on, and waiting for those (default: from /proc). */
  readonly inFlight?: (scripts: readonly string[]) => string[];
  readonly waitForSbatch?: (scripts: readonly string[]) => Promise<unknown>;
  readonly retries?: number;
  readonly backoff?: number;
}

/**
 * Gives job ids to handles recorded without one (the head died between its journal and
 * sbatch's answer), through the run's submission ledger and the job's unique name in squeue;
 * job arrays the ledgers know are entered in the book (see the shared `place`).
 */
export function place(
  handles: readonly Handle[],
  opts: PlaceOptions,
): Promise<{ placed: Placed[]; missing: Handle[]; error?: string }> {
  return placeIn(handles, {
    locate: opts.locate,
    findByName: (names) => findByName(opts.run, names),
    withIndex,
    taskJobId: (job, index) => `${job}_${index}`,
    learn: (e, jobId) => {
      if (e.array)
        opts.book.addArray(
          jobId,
          e.members.map((m) => m.index),
        );
    },
    ...(opts.inFlight ? { inFlight: opts.inFlight } : {}),
    ...(opts.waitForSbatch ? { waitForSubmissions: opts.waitForSbatch } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoff !== undefined ? { backoff: opts.backoff } : {}),
  });
}
