import { TASK_STATES, type TaskState } from './events.js';

// Engine-side task states; the public TaskState is derived from them.
/** Dependencies not done. */
export const WAIT = 0;
/** In the ready queue. */
export const READY = 1;
/** Waiting out a retry backoff. */
export const RETRY = 2;
/** Handed to the scheduler. */
export const LAUNCH = 3;
export const RUN = 4;
/** Ended well; its outputs and check are being verified. */
export const CHECK = 5;
export const OK = 6;
export const FAIL = 7;
export const SKIP = 8;
export const CANCEL = 9;
/** Not part of this run. */
export const OUT = 10;

/**
 * Per-task bookkeeping of one run, in typed arrays indexed by task number: what the engine's
 * state machine and its admission strategies share.
 */
export class Board {
  readonly st: Uint8Array;
  /** Unfinished dependencies of a waiting task. */
  readonly remaining: Int32Array;
  /** The current attempt's number. */
  readonly attempt: Int32Array;
  /** Failures that count against the retry policy (a resubmission after a reset does not). */
  readonly failures: Int32Array;
  /** For the run's selection: whether an excluded task's last success stands. */
  readonly upToDate: Uint8Array;

  constructor(
    readonly n: number,
    upToDate: Uint8Array,
  ) {
    this.st = new Uint8Array(n);
    this.remaining = new Int32Array(n);
    this.attempt = new Int32Array(n);
    this.failures = new Int32Array(n);
    this.upToDate = upToDate;
  }

  /** Done as far as its dependents are concerned: succeeded now, or up to date and not selected. */
  done(v: number): boolean {
    const s = this.st[v]!;
    return s === OK || (s === OUT && this.upToDate[v] === 1);
  }

  /** How many of the run's tasks are in each public state. */
  counts(): Record<TaskState, number> {
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    for (let v = 0; v < this.n; v++) {
      const s = this.st[v]!;
      if (s !== OUT) counts[publicState(s)]++;
    }
    return counts;
  }

  /** Can never succeed in this run: failed, skipped, or excluded without a standing success. */
  hopeless(v: number): boolean {
    const s = this.st[v]!;
    return s === FAIL || s === SKIP || (s === OUT && this.upToDate[v] !== 1);
  }
}

/** The state views and the journal see. */
export function publicState(s: number): TaskState {
  switch (s) {
    case OK:
      return 'succeeded';
    case FAIL:
      return 'failed';
    case SKIP:
      return 'skipped';
    case CANCEL:
      return 'cancelled';
    case RUN:
    case CHECK:
      return 'running';
    case LAUNCH:
      return 'queued';
    default:
      return 'pending';
  }
}
