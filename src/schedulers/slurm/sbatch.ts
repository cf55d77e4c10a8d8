import type { RateLimiter } from '../batch/rate.js';
import { submitRetried } from '../batch/retry.js';
import type { CommandRunner } from '../batch/runner.js';
import { findByName } from './squeue.js';

/** Errors after which the same sbatch may succeed: the controller is busy or briefly away. */
const TRANSIENT =
  /Socket timed out|Resource temporarily unavailable|temporarily unable|Unable to contact slurm controller|Connection refused|Connection reset|Zero Bytes were transmitted|Communication connection failure|Transport endpoint|try again later|EAGAIN/i;

export const isTransient = (message: string) => TRANSIENT.test(message);

export interface SbatchOptions {
  readonly run: CommandRunner;
  readonly rate: RateLimiter;
  /** Folder sbatch runs in (the job's default working folder). */
  readonly cwd: string;
  /** The submission's unique job name: how a job that went in despite an error is found. */
  readonly jobName: string;
  /** Extra sbatch arguments before the script (e.g. `--hold`). */
  readonly args: readonly string[];
  readonly retries: number;
  /** First backoff in ms, doubled after each transient failure (capped at 30 s). */
  readonly backoff: number;
}

/**
 * Submits one script with `sbatch --parsable`, retrying transient failures with backoff; a
 * job that went in despite an error is found by its name before a retry.
 */
export function sbatch(
  script: string,
  o: SbatchOptions,
): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
  return submitRetried({
    command: 'sbatch',
    rate: o.rate,
    retries: o.retries,
    backoff: o.backoff,
    call: () => o.run('sbatch', ['--parsable', ...o.args, script], { cwd: o.cwd }),
    jobIdOf: (stdout) => /^(\d+)/.exec(stdout)?.[1],
    isTransient,
    lookUp: async () => {
      const found = await findByName(o.run, [o.jobName]);
      return found.ok ? found.ids.get(o.jobName) : undefined;
    },
  });
}
