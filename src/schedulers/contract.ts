import type { Outcome, Placement } from '../exec/events.js';
import type { FailureKind, Resources, SchedulerOptions } from '../model/campaign.js';

/**
 * The contract every scheduler adapter implements: the local machine, Slurm, Grid Engine.
 * It is shaped for batch schedulers: work is handed over in batches, each hand-over is
 * acknowledged with a handle that the engine journals before it counts as submitted, state
 * comes back as updates (from a child's exit locally, from one queue query per poll cycle on
 * a cluster), and a new head can reattach to handles recorded by a crashed one.
 */
export interface SchedulerAdapter {
  readonly name: string;
  /**
   * `engine`: the engine admits work by free cores and memory (the local machine).
   * `scheduler`: the scheduler queues and admits; the engine hands over work as soon as its
   * dependencies are handed over too (with `nativeDependencies`) or done.
   */
  readonly admission: 'engine' | 'scheduler';
  /** Whether the scheduler itself can hold a job until its dependencies succeed. */
  readonly nativeDependencies: boolean;
  /** Whether work goes on without the head (a batch scheduler), so the view may detach. */
  readonly detachable: boolean;
  /** Starts delivering updates. Called once, before anything else. */
  start(onUpdate: (updates: readonly Update[]) => void): void;
  /** Hands over a batch of attempts; resolves with one handle per submission, in order. */
  submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]>;
  /** Cancels attempts; `force` skips the grace period. */
  cancel(handles: readonly Handle[], opts?: { force?: boolean }): Promise<void>;
  /** Takes over attempts recorded by an earlier head; their updates follow through `onUpdate`. */
  reattach(handles: readonly Handle[]): Promise<void>;
  /** Stops watching; running work is left as it is. */
  close(): Promise<void>;
  /** Where a handle's attempt runs, as views show it (a pid locally, a job id on a cluster). */
  placement?(h: Handle): Placement;
}

/** One attempt of one task, fully resolved. */
export interface Submission {
  readonly taskId: string;
  readonly attempt: number;
  /** A string runs through `/bin/sh -c`; an array is exec'd directly. */
  readonly command: string | readonly string[];
  /** Shell lines run before the command (module load, conda activation). */
  readonly setup: readonly string[];
  /** Environment added to the scheduler's own (the task's env and CAMPAIGN_* variables). */
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly resources: Resources;
  readonly options: SchedulerOptions;
  /** Wall-clock limit in seconds, if any. */
  readonly limit?: number;
  /** Where the attempt's stdout, stderr and result line go. */
  readonly files: AttemptFiles;
  /** Handles of upstream attempts the scheduler must wait for (native dependencies only). */
  readonly after?: readonly Handle[];
  /** Name for the scheduler's queue listing: campaign, run id and task id. */
  readonly jobName: string;
  /** Attempts with the same key run at most `max` at once (a node's `max_parallel`; `%N` on an array). */
  readonly throttle?: { readonly key: string; readonly max: number };
  /**
   * What makes a zero exit a success: outputs that must exist (globs, relative to `workdir`)
   * and a check command. A batch adapter runs them inside the job, after the command, so the
   * job's own exit status says whether the attempt succeeded and the scheduler's `afterok`
   * means what it says; the result line then carries `verified=1` or the failure.
   */
  readonly verify?: Verification;
}

/** Verification of an attempt that exited 0; see `Submission.verify`. */
export interface Verification {
  readonly outputs: readonly string[];
  readonly check?: string | readonly string[];
}

/** Why an attempt failed, as the contract knows it: a scheduler's kind, or verification. */
export type EndFailure = FailureKind | 'outputs' | 'check';

export interface AttemptFiles {
  readonly out: string;
  readonly err: string;
  /** The launcher writes one result line here when the attempt ends. */
  readonly result: string;
}

/** How an adapter finds an attempt again: a pid locally, a job id (and array index) on a cluster. */
export interface Handle {
  readonly taskId: string;
  readonly attempt: number;
  readonly jobId: string;
  readonly arrayIndex?: number;
  /** Local only: the launcher's start time, to tell a reused pid from ours. */
  readonly startedAt?: number;
  readonly files: AttemptFiles;
}

export type SubmitResult = { ok: true; handle: Handle } | { ok: false; message: string };

/** A change in an attempt's state. */
export type Update =
  | { readonly kind: 'queued'; readonly handle: Handle; readonly where?: Placement }
  | {
      readonly kind: 'running';
      readonly handle: Handle;
      /** Where it runs: pid (and host) locally, job id (and host) on a cluster. */
      readonly where?: Placement;
      readonly host?: string;
    }
  | {
      readonly kind: 'ended';
      readonly handle: Handle;
      readonly outcome: Outcome;
      /** Undefined when the attempt succeeded as far as the scheduler can tell. */
      readonly failure?: EndFailure;
      readonly message?: string;
    }
  /**
   * The scheduler gave the attempt up because a dependency it was held for can never be
   * satisfied (Slurm's DependencyNeverSatisfied, a Grid Engine hold on a failed job). The
   * engine decides: skip it, or hand it over anew when the dependency runs again.
   */
  | { readonly kind: 'unsatisfiable'; readonly handle: Handle; readonly message?: string };

/** Where a handle's attempt runs, as its adapter shows it (its job id, if the adapter says nothing). */
export function placementOf(adapter: SchedulerAdapter, h: Handle): Placement {
  return adapter.placement?.(h) ?? { jobId: h.jobId };
}

/** What one queue query says of a job that no head watches (`campaign status` of a detached run). */
export interface QueueAnswer {
  /** The job waits or runs; left out when the scheduler lists it in neither state. */
  readonly state?: 'queued' | 'running';
  /** The scheduler's own word for a job it lists in neither state (`COMPLETED`, `Eqw`). */
  readonly word?: string;
}
