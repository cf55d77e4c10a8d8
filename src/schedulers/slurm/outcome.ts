import type { Outcome } from '../../exec/events.js';
import type { FailureKind } from '../../model/campaign.js';
import { signalName, type Verdict } from '../batch/verdict.js';
import { judge, type LaunchResult } from '../launcher/result.js';

/** Slurm's reason for a job whose dependency failed: it will never start. */
export const DEPENDENCY_NEVER_SATISFIED = 'DependencyNeverSatisfied';

/** How Slurm's job states read for the engine. */
export type Phase = 'queued' | 'running' | 'ended';

const RUNNING = new Set([
  'RUNNING',
  'CONFIGURING',
  'COMPLETING',
  'SUSPENDED',
  'STAGE_OUT',
  'SIGNALING',
  'RESIZING',
]);
const QUEUED = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED']);

export function phaseOf(state: string): Phase {
  if (QUEUED.has(state)) return 'queued';
  if (RUNNING.has(state)) return 'running';
  return 'ended';
}

export type { Verdict };

/** The failure kind of each terminal state that is a failure whatever the task's own exit. */
const FAILURE_OF: Readonly<Record<string, FailureKind>> = {
  TIMEOUT: 'timeout',
  DEADLINE: 'timeout',
  OUT_OF_MEMORY: 'oom',
  NODE_FAIL: 'node_fail',
  BOOT_FAIL: 'node_fail',
  PREEMPTED: 'preempted',
  CANCELLED: 'cancelled',
  REVOKED: 'cancelled',
};

/** What the adapter knows when a job has ended. */
export interface EndFacts {
  /** Slurm's final state, if Slurm still knew the job. */
  readonly state?: string;
  readonly reason?: string;
  readonly exit?: { readonly code: number; readonly signal: number };
  /** The wrapper's result line, if it wrote one. */
  readonly result?: LaunchResult;
  /** The attempt's limit in seconds, for the message. */
  readonly limit?: number;
  /** Whether Slurm's log of the job says the memory limit killed it. */
  readonly memoryKilled: boolean;
}

/**
 * Joins Slurm's word with the wrapper's result. Slurm decides the kind (a TIMEOUT is a timeout
 * even if the task caught SIGTERM and exited 0); the result line gives exit code, times and
 * memory. Without cgroups an over-memory job ends FAILED with signal 9 and a line in its log.
 */
export function verdict(f: EndFacts): Verdict {
  const base = f.result ? judge(f.result, f.limit) : undefined;
  const fromSlurm: Outcome = f.exit
    ? f.exit.signal !== 0
      ? { signal: signalName(f.exit.signal) }
      : { exitCode: f.exit.code }
    : {};
  const outcome: Outcome = {
    ...(base?.outcome ?? fromSlurm),
    ...(f.state ? { schedulerState: f.state } : {}),
  };
  const state = f.state;
  if (state === 'CANCELLED' && f.reason === DEPENDENCY_NEVER_SATISFIED) return dependencyFailed(outcome);
  const killed9 = f.result ? f.result.signal === 9 : f.exit?.signal === 9;
  if (f.memoryKilled && (killed9 || state === 'FAILED' || state === 'OUT_OF_MEMORY')) {
    return {
      outcome,
      failure: 'oom',
      message: `out of memory: Slurm killed it over its memory limit (${state ?? 'gone'})`,
    };
  }
  const kind = state ? FAILURE_OF[state] : undefined;
  if (kind) return { outcome, failure: kind, message: messageFor(kind, state!, f) };
  if (base) {
    if (state === 'FAILED' && !base.failure) {
      return { outcome, failure: 'failed', message: `Slurm reports FAILED (${f.reason || 'no reason'})` };
    }
    return {
      outcome,
      ...(base.failure ? { failure: base.failure } : {}),
      ...(base.message ? { message: base.message } : {}),
    };
  }
  if (state === 'COMPLETED') return { outcome };
  if (!state)
    return { outcome, failure: 'lost', message: 'Slurm no longer knows the job and it left no result' };
  const what = f.exit
    ? f.exit.signal !== 0
      ? `killed by ${signalName(f.exit.signal)}`
      : `exit code ${f.exit.code}`
    : 'no exit code';
  return {
    outcome,
    failure: 'failed',
    message: `Slurm reports ${state} (${f.reason || what}); no result recorded`,
  };
}

/** The verdict for a job Slurm will never start because an upstream job failed. */
export function dependencyFailed(outcome: Outcome = {}): Verdict {
  return {
    outcome: { ...outcome, schedulerState: DEPENDENCY_NEVER_SATISFIED },
    failure: 'cancelled',
    message: 'not run: an upstream job failed (DependencyNeverSatisfied)',
  };
}

function messageFor(kind: FailureKind, state: string, f: EndFacts): string {
  switch (kind) {
    case 'timeout':
      return f.limit !== undefined
        ? `timed out after ${f.limit}s (Slurm ${state})`
        : `timed out (Slurm ${state})`;
    case 'oom':
      return `out of memory (Slurm ${state})`;
    case 'node_fail':
      return `the node failed (Slurm ${state})`;
    case 'preempted':
      return 'preempted by Slurm';
    case 'cancelled':
      return f.reason && f.reason !== 'None' ? `cancelled (${f.reason})` : 'cancelled';
    default:
      return `Slurm reports ${state}`;
  }
}
