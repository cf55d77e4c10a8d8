import type { FailureKind } from '../model/campaign.js';
import type { TaskSpec } from '../model/tasks.js';

/** The states a task moves through; the dashboard, `status` and the journal all use these. */
export type TaskState = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export const TASK_STATES: readonly TaskState[] = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
];

/** Where an attempt runs: a local process group, or a batch job (array task). */
export interface Placement {
  readonly pid?: number;
  readonly jobId?: string;
  readonly host?: string;
}

/** What one attempt asks for: cores, memory in MiB, GPUs, runtime estimate and limit in seconds. */
export interface AttemptRequest {
  readonly cores: number;
  readonly memory?: number;
  readonly gpus?: number;
  readonly runtime?: number;
  readonly limit?: number;
  /** The partition or queue, where the scheduler queues work itself. */
  readonly partition?: string;
}

/** What is known about an attempt once it has ended. */
export interface Outcome {
  readonly exitCode?: number;
  readonly signal?: string;
  /** Wall time of the attempt, in milliseconds. */
  readonly wallMs?: number;
  /** User + system CPU time, in milliseconds. */
  readonly cpuMs?: number;
  /** Peak resident memory, in KiB. */
  readonly maxRssKiB?: number;
  /** The scheduler's own word for how the job ended (COMPLETED, TIMEOUT, OUT_OF_MEMORY, ...). */
  readonly schedulerState?: string;
  /** The attempt's outputs and check were verified where it ran (inside the batch job). */
  readonly verified?: boolean;
}

/** One task as the views need to know it, sent once when a run starts. */
export interface TaskInfo {
  readonly id: string;
  /** The group path of the node (`ml-null-tests`), empty for top-level nodes. */
  readonly group: string;
  /** The node id the task belongs to (differs from `id` for fanned-out instances). */
  readonly node: string;
  /** Declared runtime in seconds, if any (for the ETA). */
  readonly runtime?: number;
  /** Wall-clock limit of one attempt in seconds, if any. */
  readonly limit?: number;
  /** The state the task starts the run in (`succeeded` for work an earlier run finished). */
  readonly state: TaskState;
}

/** How a run ended. `detached`: everything was handed to a batch scheduler, which goes on alone. */
export type RunStatus = 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'detached';

/** How a run ended, from how it was stopped (if it was) and its tasks' final states. */
export function runStatus(
  stop: {
    readonly halted: boolean;
    readonly cancelled: boolean;
    readonly failed: boolean;
    readonly detached: boolean;
  },
  counts: Readonly<Record<TaskState, number>>,
): RunStatus {
  if (stop.halted) return 'failed';
  if (stop.cancelled) return 'cancelled';
  if (stop.failed || counts.skipped > 0) return 'failed';
  if (counts.queued + counts.running > 0 && stop.detached) return 'detached';
  return counts.pending > 0 ? 'failed' : 'succeeded';
}

/**
 * Everything the engine reports, as one discriminated union on `type` x `reason`. Every event
 * carries a timestamp `t` (epoch milliseconds); task events carry the task id.
 */
export type EngineEvent =
  | {
      readonly type: 'run';
      readonly reason: 'started';
      readonly t: number;
      readonly runId: string;
      readonly campaign: string;
      readonly scheduler: string;
      readonly stateDir: string;
      readonly tasks: readonly TaskInfo[];
    }
  | { readonly type: 'run'; readonly reason: 'cancelling'; readonly t: number; readonly runId: string }
  /**
   * The run cannot go on safely (its lock was taken away, its journal cannot be written): it
   * hands out nothing more and ends as `failed` once what runs has ended.
   */
  | {
      readonly type: 'run';
      readonly reason: 'halted';
      readonly t: number;
      readonly runId: string;
      readonly message: string;
    }
  | {
      readonly type: 'run';
      readonly reason: 'finished';
      readonly t: number;
      readonly runId: string;
      readonly status: RunStatus;
      readonly counts: Readonly<Record<TaskState, number>>;
    }
  | {
      readonly type: 'task';
      readonly reason: 'queued';
      readonly t: number;
      readonly id: string;
      readonly attempt: number;
      readonly where?: Placement;
      /** What the attempt asks for (escalation applied), when it is first handed over. */
      readonly request?: AttemptRequest;
      /** Set when the attempt was handed over by an earlier run and this run adopted it. */
      readonly fromRun?: string;
    }
  | {
      readonly type: 'task';
      readonly reason: 'started';
      readonly t: number;
      readonly id: string;
      readonly attempt: number;
      readonly where: Placement;
      /** Paths of the attempt's stdout and stderr logs. */
      readonly logs: { readonly out: string; readonly err: string };
      /** Set when the attempt was started by an earlier run and this run reattached to it. */
      readonly fromRun?: string;
    }
  | {
      readonly type: 'task';
      readonly reason: 'succeeded';
      readonly t: number;
      readonly id: string;
      readonly attempt: number;
      readonly outcome: Outcome;
      readonly fromRun?: string;
    }
  | {
      readonly type: 'task';
      readonly reason: 'failed';
      readonly t: number;
      readonly id: string;
      readonly attempt: number;
      readonly outcome: Outcome;
      readonly failure: FailureKind | 'outputs' | 'check' | 'submit';
      /** One line a person can act on: "exit code 3", "timed out after 1m", "missing output out.nc". */
      readonly message: string;
      /** The attempt that follows, if the retry policy grants one. */
      readonly retryIn?: number;
      /** How the next attempt's request grows: `attempt 2 with 200M after oom at 100M`. */
      readonly escalation?: string;
      readonly logs?: { readonly out: string; readonly err: string };
      readonly fromRun?: string;
    }
  | {
      readonly type: 'task';
      readonly reason: 'skipped';
      readonly t: number;
      readonly id: string;
      /** The dependency whose failure made this task impossible. */
      readonly upstream: string;
      readonly message: string;
    }
  | {
      readonly type: 'task';
      readonly reason: 'cancelled';
      readonly t: number;
      readonly id: string;
      readonly attempt: number;
    };

export type RunEvent = Extract<EngineEvent, { type: 'run' }>;
/** A task event without its `type` and time, as the engine builds it. */
export type TaskEventBody = TaskEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'type' | 't'>
    : never
  : never;
export type TaskEvent = Extract<EngineEvent, { type: 'task' }>;

/** Something that consumes the event stream: a view, a log, the journal. */
export interface EventSink {
  handle(event: EngineEvent): void;
  /** Called once after the last event; flush and release. */
  close?(): void | Promise<void>;
}

/** The task state an event moves its task into. */
export function stateAfter(e: TaskEvent): TaskState {
  switch (e.reason) {
    case 'queued':
      return 'queued';
    case 'started':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return e.retryIn !== undefined ? 'pending' : 'failed';
    case 'skipped':
      return 'skipped';
    case 'cancelled':
      return 'cancelled';
  }
}

/** How a view learns of a task when a run starts. */
export function taskInfo(t: TaskSpec, state: TaskState): TaskInfo {
  return {
    id: t.id,
    node: t.node.id,
    group: t.node.parent ?? '',
    state,
    ...(t.resources.runtime !== undefined ? { runtime: t.resources.runtime } : {}),
    ...(t.limit !== undefined ? { limit: t.limit } : {}),
  };
}
