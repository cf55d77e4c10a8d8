import type { RateLimiter } from './rate.js';
import { type CommandResult, firstLine } from './runner.js';

/** How one script goes to the scheduler, retried. */
export interface SubmitCall {
  /** The command's name, for messages (`sbatch`, `qsub`). */
  readonly command: string;
  readonly rate: RateLimiter;
  readonly retries: number;
  /** First backoff in ms, doubled after each transient failure (capped at 30 s). */
  readonly backoff: number;
  /** Runs the submission once. */
  readonly call: () => Promise<CommandResult>;
  /** The job id in what a successful call printed. */
  readonly jobIdOf: (stdout: string) => string | undefined;
  /** Whether the same call may succeed after this error (the controller busy or away). */
  readonly isTransient: (message: string) => boolean;
  /** The job of the submission's unique name, if the scheduler has it. */
  readonly lookUp: () => Promise<string | undefined>;
}

/**
 * Submits one script, retrying transient failures with backoff. Before a retry it looks the
 * job up by name: a timed-out submission may have been accepted, and submitting again would
 * run the tasks twice.
 */
export async function submitRetried(
  o: SubmitCall,
): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
  let delay = o.backoff;
  let last = '';
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 30_000);
      const id = await o.lookUp();
      if (id) return { ok: true, jobId: id };
    }
    await o.rate.take();
    const r = await o.call();
    const id = o.jobIdOf(r.stdout.trim());
    if (r.exitCode === 0 && id) return { ok: true, jobId: id };
    last = firstLine(r);
    if (!o.isTransient(`${r.stderr}\n${r.stdout}`)) return { ok: false, message: `${o.command}: ${last}` };
  }
  return { ok: false, message: `${o.command}: ${last} (gave up after ${o.retries + 1} attempts)` };
}
