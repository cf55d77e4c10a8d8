import type { FailureKind, RetryPolicy } from '../model/campaign.js';
import type { EndFailure } from '../schedulers/contract.js';

/** How often an attempt that vanished without a result is started again. */
export const LOST_RETRIES = 3;

/** What follows a failed attempt. */
export type RetryDecision =
  /** It vanished without a result (a crash, or it never started): run it again at once, on no retry of its own. */
  | { readonly kind: 'again' }
  /** The policy grants another attempt after `delay` seconds. */
  | { readonly kind: 'retry'; readonly delay: number }
  | { readonly kind: 'final' };

export interface FailedAttempt {
  readonly failure: EndFailure | 'submit';
  /** The attempt's number, from 1. */
  readonly attempt: number;
  /** Failures that counted against the policy so far, this one included. */
  readonly failures: number;
  /** Times the task was already started again after vanishing. */
  readonly lost: number;
  /** False when the run stops handing out work, or the failure may not be retried (a request that never fits). */
  readonly mayRetry: boolean;
}

/** The failure kind a retry policy's `on` list speaks of. */
export function policyKind(f: EndFailure | 'submit'): FailureKind {
  return f === 'outputs' || f === 'check' || f === 'submit' ? 'failed' : f;
}

/**
 * The retry policy, as a pure function: from the failed attempt and the node's policy to what
 * follows it. Backoff doubles with each attempt.
 */
export function decideRetry(a: FailedAttempt, policy: RetryPolicy): RetryDecision {
  if (!a.mayRetry) return { kind: 'final' };
  if (a.failure === 'lost') return a.lost < LOST_RETRIES ? { kind: 'again' } : { kind: 'final' };
  if (a.failures <= policy.count && policy.on.includes(policyKind(a.failure)))
    return { kind: 'retry', delay: policy.backoff * 2 ** (a.attempt - 1) };
  return { kind: 'final' };
}
