import type { RateLimiter } from './rate.js';
import { type CommandRunner, firstLine } from './runner.js';
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
 * Submits one script with `sbatch --parsable`, retrying transient failures with backoff.
 * Before a retry it looks the job up by name: a timed-out sbatch may have been accepted, and
 * submitting again would run the tasks twice.
 */
export async function sbatch(
  script: string,
  o: SbatchOptions,
): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
  let delay = o.backoff;
  let last = '';
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 30_000);
      const found = await findByName(o.run, [o.jobName]);
      const id = found.ok ? found.ids.get(o.jobName) : undefined;
      if (id) return { ok: true, jobId: id };
    }
    await o.rate.take();
    const r = await o.run('sbatch', ['--parsable', ...o.args, script], { cwd: o.cwd });
    const id = /^(\d+)/.exec(r.stdout.trim())?.[1];
    if (r.exitCode === 0 && id) return { ok: true, jobId: id };
    last = firstLine(r);
    if (!isTransient(`${r.stderr}\n${r.stdout}`)) return { ok: false, message: `sbatch: ${last}` };
  }
  return { ok: false, message: `sbatch: ${last} (gave up after ${o.retries + 1} attempts)` };
}
