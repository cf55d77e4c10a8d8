import type { RateLimiter } from '../slurm/rate.js';
import { type CommandRunner, firstLine } from '../slurm/runner.js';
import { queryAccounting } from './qacct.js';
import { findByName } from './qstat.js';

/** Errors after which the same qsub may succeed: the qmaster is busy or briefly away. */
const TRANSIENT =
  /unable to contact qmaster|commlib error|failed receiving gdi request|got no response|unable to send message|can't unpack gdi|Connection refused|Connection reset|timed? ?out|temporarily unavailable|try again later|EAGAIN/i;

export const isTransient = (message: string) => TRANSIENT.test(message);

export interface QsubOptions {
  readonly run: CommandRunner;
  readonly rate: RateLimiter;
  /** Whose jobs qstat lists (to find a job that went in despite an error). */
  readonly user: string;
  /** The submission's unique job name: how a job that went in despite an error is found. */
  readonly jobName: string;
  readonly retries: number;
  /** First backoff in ms, doubled after each transient failure (capped at 30 s). */
  readonly backoff: number;
}

/**
 * Runs one `qsub -terse ... <script>` (the argv ends with the script), retrying transient
 * failures with backoff. Before a retry it looks the job up by name: a timed-out qsub may
 * have been accepted, and submitting again would run the tasks twice. `-terse` prints
 * `123` for a job and `123.1-4:1` for an array job.
 */
export async function qsub(
  argv: readonly string[],
  o: QsubOptions,
): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
  let delay = o.backoff;
  let last = '';
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    if (attempt > 0) {
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 30_000);
      const id = await lookUp(o);
      if (id) return { ok: true, jobId: id };
    }
    await o.rate.take();
    const r = await o.run('qsub', argv);
    const id = /^(\d+)(?:\.\S*)?$/m.exec(r.stdout.trim())?.[1];
    if (r.exitCode === 0 && id) return { ok: true, jobId: id };
    last = firstLine(r);
    if (!isTransient(`${r.stderr}\n${r.stdout}`)) return { ok: false, message: `qsub: ${last}` };
  }
  return { ok: false, message: `qsub: ${last} (gave up after ${o.retries + 1} attempts)` };
}

/** The job of this name if Grid Engine has it: in the queue, or (a short job) already ended. */
async function lookUp(o: QsubOptions): Promise<string | undefined> {
  const found = await findByName(o.run, o.user, [o.jobName]);
  const id = found.ok ? found.ids.get(o.jobName) : undefined;
  if (id) return id;
  const records = await queryAccounting(o.run, o.jobName);
  return [...records.keys()][0]?.split('.')[0];
}
