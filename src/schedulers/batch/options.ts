import type { Handle } from '../contract.js';
import type { PollStats } from './poller.js';
import type { CommandRunner } from './runner.js';

/** How a batch adapter is set up for one run: what every batch scheduler's options share. */
export interface BatchAdapterOptions {
  /** The run's scheduler folder (`<run dir>/slurm`, `<run dir>/sge`): scripts, logs, the ledger. */
  readonly dir: string;
  /** Campaign name and run id; both go into every job name. */
  readonly campaign: string;
  readonly runId: string;
  /** Seconds between queue polls at the fastest (the campaign's `poll_interval`; default 2). */
  readonly pollInterval?: number;
  /** Seconds between polls when nothing changes for a while (default 30, at least `pollInterval`). */
  readonly maxPollInterval?: number;
  /** Submissions per second at most (the campaign's `submit_rate`; default 5). */
  readonly submitRate?: number;
  /** Retries of a submission that failed transiently (default 5), first backoff in ms (default 1000). */
  readonly submitRetries?: number;
  readonly retryBackoff?: number;
  /** Seconds an ended job may lack its result line before the scheduler's word alone decides (default 10). */
  readonly resultGrace?: number;
  /** Milliseconds to gather `submit` calls into one batch (default 0: those of the same tick). */
  readonly coalesce?: number;
  /** Runs the scheduler's commands (default: the real ones, with `env`). */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** The scheduler folder of an earlier run's handle (default: from its attempt files). */
  readonly locate?: (h: Handle) => string;
  readonly now?: () => number;
}

/** What a batch adapter has done so far (for tests and benchmarks). */
export interface BatchStats {
  readonly poll: PollStats;
  readonly watched: number;
}
