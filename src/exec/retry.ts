import type { FailureKind, RetryPolicy } from '../model/campaign.js';
import type { TaskSpec } from '../model/tasks.js';
import { escalate, MAX_REQUEUES } from '../plan/escalate.js';
import type { EndFailure, Handle } from '../schedulers/contract.js';
import type { Outcome } from './events.js';

/** How often an attempt that vanished without a result is started again. */
export const LOST_RETRIES = 3;

/**
 * Failures that are the machine's, not the task's: the attempt runs again at once, on none of
 * the task's retries, up to a cap (then they count like any failure).
 */
const REQUEUED: Partial<Record<EndFailure | 'submit', number>> = {
  lost: LOST_RETRIES,
  node_fail: MAX_REQUEUES,
  preempted: MAX_REQUEUES,
};

/** What follows a failed attempt. */
export type RetryDecision =
  /**
   * It vanished without a result (a crash, or it never started), or its node failed or it was
   * preempted: run it again at once, on no retry of its own.
   */
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
  /** Times the task was already run again, on no retry of its own, after this kind of failure. */
  readonly requeued: number;
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
  const cap = REQUEUED[a.failure];
  if (cap !== undefined && a.requeued < cap) return { kind: 'again' };
  if (a.failure === 'lost') return { kind: 'final' };
  if (a.failures <= policy.count && policy.on.includes(policyKind(a.failure)))
    return { kind: 'retry', delay: policy.backoff * 2 ** (a.attempt - 1) };
  return { kind: 'final' };
}

/** A failed attempt as the engine knows it. */
export interface Failed {
  readonly failure: EndFailure | 'submit';
  readonly message: string;
  readonly outcome: Outcome;
  readonly handle?: Handle;
  readonly fromRun?: string;
}

/** What an attempt asked for, where it differs from its task's declared request. */
export interface Request {
  readonly memory?: number;
  readonly limit?: number;
}

/**
 * The request of the attempt that follows a retried `oom` or `timeout`: more memory or more
 * time, by the node's factors, capped (the partition's limits, or what the run may use).
 * `stop`: a bigger request would not fit, so the retry would fail the same way.
 */
export function escalated(
  t: TaskSpec,
  failed: { readonly failure: EndFailure | 'submit'; readonly attempt: number; readonly outcome: Outcome },
  current: Request | undefined,
  cap: RequestCap,
): { readonly request?: Request; readonly step?: string; readonly stop?: boolean } {
  if (failed.failure !== 'oom' && failed.failure !== 'timeout') return {};
  const request = { memory: current?.memory ?? t.resources.memory, limit: current?.limit ?? t.limit };
  const e = escalate({
    failure: failed.failure,
    attempt: failed.attempt,
    request: {
      ...(request.memory !== undefined ? { memory: request.memory } : {}),
      ...(request.limit !== undefined ? { limit: request.limit } : {}),
    },
    measured: failed.outcome,
    cap,
    ...(t.node.retries.escalate ? { policy: t.node.retries.escalate } : {}),
  });
  if (e.action === 'stop') return { step: e.step, stop: true };
  return e.action === 'retry' && e.escalated ? { request: e.request, step: e.step } : {};
}

/** What an escalated request may grow to: memory in MiB, the time limit in seconds. */
export interface RequestCap {
  readonly memory?: number;
  readonly walltime?: number;
}

/** Without a cap from the planner: locally, what the run may use; on a cluster, none. */
export function defaultCap(admission: 'engine' | 'scheduler', memory: number): (t: TaskSpec) => RequestCap {
  const cap = admission === 'engine' ? { memory } : {};
  return () => cap;
}

/** What follows a failed attempt, with the request of the next one. */
export interface Next {
  readonly kind: RetryDecision['kind'];
  /** Seconds until the retry. */
  readonly delay?: number;
  /** The next attempt's grown request, and the step that says so. */
  readonly request?: Request;
  readonly step?: string;
  /** The attempt's message, with why no retry follows when a bigger request would not fit. */
  readonly message: string;
}

/** The retry policy and the escalation together: what follows a failed attempt of t. */
export function nextAttempt(
  t: TaskSpec,
  f: {
    readonly failure: EndFailure | 'submit';
    readonly attempt: number;
    readonly outcome: Outcome;
    readonly message: string;
  },
  s: {
    readonly failures: number;
    readonly requeued: number;
    readonly mayRetry: boolean;
    readonly current: Request | undefined;
    readonly cap: RequestCap;
  },
): Next {
  const d = decideRetry({ ...f, ...s }, t.node.retries);
  if (d.kind !== 'retry')
    return { kind: d.kind, message: f.message, ...(d.kind === 'again' ? { delay: 0 } : {}) };
  const grow = escalated(t, f, s.current, s.cap);
  if (grow.stop) return { kind: 'final', message: `${f.message}; ${grow.step}` };
  return {
    kind: 'retry',
    delay: d.delay,
    message: f.message,
    ...(grow.request ? { request: grow.request, step: grow.step! } : {}),
  };
}
