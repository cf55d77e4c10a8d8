import type { DocPath } from '../config/diagnostic.js';
import type { FailureKind } from '../model/campaign.js';
import { formatDuration, formatMemory } from '../model/units.js';
import { badValue, fail, isTable, type Parsed, shown, unknownKeys } from './parsed.js';

/** `escalate = { memory = 2.0, runtime = 2.0 }`: factors for the next attempt; 1 turns one off. */
export interface EscalationPolicy {
  /** Multiplies the memory request after `oom`. */
  readonly memory: number;
  /** Multiplies the time limit after `timeout`. */
  readonly runtime: number;
}

/** On by default: an out-of-memory doubles the memory, a timeout doubles the time limit. */
export const DEFAULT_ESCALATION: EscalationPolicy = { memory: 2, runtime: 2 };
/** `escalate = false`. */
export const NO_ESCALATION: EscalationPolicy = { memory: 1, runtime: 1 };
/** How often a task is requeued after `node_fail` or `preempted` before that costs an attempt. */
export const MAX_REQUEUES = 3;

/** What an attempt asked for: memory in MiB, the time limit in seconds. */
export interface AttemptRequest {
  readonly memory?: number;
  readonly limit?: number;
}

export interface EscalateInput {
  readonly failure: FailureKind;
  /** The failed attempt's number (1 for the first). */
  readonly attempt: number;
  readonly request: AttemptRequest;
  /** What the attempt was measured to use, as the outcome records it. */
  readonly measured?: { readonly maxRssKiB?: number; readonly wallMs?: number };
  readonly policy?: EscalationPolicy;
  /** The partition's limits (memory per node in MiB, max walltime in seconds): the cap. */
  readonly cap?: { readonly memory?: number; readonly walltime?: number };
  /** Requeues already spent on this task (node_fail, preempted). */
  readonly requeues?: number;
  readonly maxRequeues?: number;
}

/** What the next attempt does. The engine's retry policy still decides whether a retry happens. */
export type Escalation =
  | {
      /** Run again as the next attempt, with this request. */
      readonly action: 'retry';
      readonly attempt: number;
      readonly request: AttemptRequest;
      readonly escalated: boolean;
      /** `attempt 2 with 200M after oom at 100M` */
      readonly step: string;
    }
  | {
      /** Run again without spending an attempt (the failure was the cluster's, not the task's). */
      readonly action: 'requeue';
      readonly attempt: number;
      readonly requeues: number;
      readonly request: AttemptRequest;
      readonly step: string;
    }
  | {
      /** A bigger request would not fit: retrying as is would fail the same way. */
      readonly action: 'stop';
      readonly reason: 'at-limit' | 'no-request';
      readonly step: string;
    };

/**
 * The next attempt after a failure: after `oom`, the memory times the policy's factor (of the
 * measured peak, when known and above the request); after `timeout`, the time limit times its
 * factor (the wall time only where no limit is known); both capped at the partition's limits.
 * `node_fail` and `preempted` requeue without spending an attempt, up to `maxRequeues`.
 */
export function escalate(input: EscalateInput): Escalation {
  const { failure, attempt, request } = input;
  const policy = input.policy ?? DEFAULT_ESCALATION;
  const next = attempt + 1;
  if (failure === 'node_fail' || failure === 'preempted') {
    const used = input.requeues ?? 0;
    const max = input.maxRequeues ?? MAX_REQUEUES;
    if (used < max) {
      return {
        action: 'requeue',
        attempt,
        requeues: used + 1,
        request,
        step: `requeue ${used + 1} of ${max} after ${failure}, attempt ${attempt} again`,
      };
    }
    return {
      action: 'retry',
      attempt: next,
      request,
      escalated: false,
      step: `attempt ${next} after ${failure} (${max} requeues spent)`,
    };
  }
  if (failure === 'oom' && policy.memory > 1) {
    const peak =
      input.measured?.maxRssKiB !== undefined ? Math.ceil(input.measured.maxRssKiB / 1024) : undefined;
    const from = Math.max(request.memory ?? 0, peak ?? 0);
    if (from === 0) {
      return {
        action: 'stop',
        reason: 'no-request',
        step: 'cannot escalate: oom with no memory request and no measured peak',
      };
    }
    const cap = input.cap?.memory;
    if (cap !== undefined && (request.memory ?? 0) >= cap) {
      return {
        action: 'stop',
        reason: 'at-limit',
        step: `cannot escalate: at the partition's limit (${formatMemory(cap)} of memory)`,
      };
    }
    const memory = Math.min(Math.ceil(from * policy.memory), cap ?? Number.POSITIVE_INFINITY);
    const at = request.memory !== undefined ? formatMemory(request.memory) : 'no request';
    const seen = peak !== undefined && peak > (request.memory ?? 0) ? `, peak ${formatMemory(peak)}` : '';
    return {
      action: 'retry',
      attempt: next,
      request: { ...request, memory },
      escalated: true,
      step: `attempt ${next} with ${formatMemory(memory)} after oom at ${at}${seen}${capped(memory, cap)}`,
    };
  }
  if (failure === 'timeout' && policy.runtime > 1) {
    const wall = input.measured?.wallMs !== undefined ? Math.ceil(input.measured.wallMs / 1000) : undefined;
    // A timed-out attempt's wall time is its limit plus the time it took to stop it: the limit
    // is what grows; the wall time only stands in where no limit is known.
    const from = request.limit ?? wall ?? 0;
    if (from === 0) {
      return {
        action: 'stop',
        reason: 'no-request',
        step: 'cannot escalate: timeout with no time limit known',
      };
    }
    const cap = input.cap?.walltime;
    if (cap !== undefined && (request.limit ?? 0) >= cap) {
      return {
        action: 'stop',
        reason: 'at-limit',
        step: `cannot escalate: at the partition's limit (${formatDuration(cap)} of walltime)`,
      };
    }
    const limit = Math.min(Math.ceil(from * policy.runtime), cap ?? Number.POSITIVE_INFINITY);
    const at = request.limit !== undefined ? formatDuration(request.limit) : formatDuration(from);
    return {
      action: 'retry',
      attempt: next,
      request: { ...request, limit },
      escalated: true,
      step: `attempt ${next} with ${formatDuration(limit)} after timeout at ${at}${capped(limit, cap)}`,
    };
  }
  return {
    action: 'retry',
    attempt: next,
    request,
    escalated: false,
    step: `attempt ${next} as before after ${failure}`,
  };
}

function capped(value: number, cap: number | undefined): string {
  return cap !== undefined && value === cap ? " (the partition's limit)" : '';
}

/** Seconds before retry `attempt + 1`, after attempt `attempt` failed: backoff doubled each time. */
export function retryDelay(backoff: number, attempt: number): number {
  return backoff * 2 ** (attempt - 1);
}

/** Reads `escalate = { memory = 2.0, runtime = 2.0 }` (factors of at least 1), or `false`, found at `at`. */
export function parseEscalation(value: unknown, at: DocPath): Parsed<EscalationPolicy> {
  if (value === false) return { ok: true, value: NO_ESCALATION };
  if (value === true) return { ok: true, value: DEFAULT_ESCALATION };
  if (!isTable(value)) {
    return fail([
      badValue(
        'bad-escalate',
        `escalate must be a table such as { memory = 2.0, runtime = 2.0 }, or false, not ${shown(value)}`,
        at,
      ),
    ]);
  }
  const keys = ['memory', 'runtime'] as const;
  const errors = unknownKeys(value, keys, at, 'escalate');
  const out = { ...DEFAULT_ESCALATION };
  for (const key of keys) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > 100) {
      errors.push(
        badValue(
          'bad-escalate',
          `escalate \`${key}\` must be a factor from 1 to 100 (2.0 doubles), not ${shown(v)}`,
          [...at, key],
        ),
      );
    } else out[key] = v;
  }
  return errors.length > 0 ? fail(errors) : { ok: true, value: out };
}
