import type { Outcome } from '../../exec/events.js';
import type { EndFailure, Handle, Update } from '../contract.js';

/** The verdict on an ended job: outcome, failure kind (none for success) and one line for people. */
export interface Verdict {
  readonly outcome: Outcome;
  /** `outputs` or `check` when the verification inside the job failed. */
  readonly failure?: EndFailure;
  readonly message?: string;
}

/** The `ended` update that carries a verdict. */
export function endedUpdate(handle: Handle, v: Verdict): Update {
  return {
    kind: 'ended',
    handle,
    outcome: v.outcome,
    ...(v.failure ? { failure: v.failure } : {}),
    ...(v.message ? { message: v.message } : {}),
  };
}

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  6: 'SIGABRT',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
};

/** A signal's name as outcomes show it (`SIGKILL`; `signal 7` for the rarer ones). */
export const signalName = (n: number) => SIGNALS[n] ?? `signal ${n}`;
