import type { RateLimiter } from '../batch/rate.js';
import { submitRetried } from '../batch/retry.js';
import type { CommandRunner } from '../batch/runner.js';
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
 * failures with backoff; a job that went in despite an error is found by its name (in the
 * queue or, a short job, in accounting) before a retry. `-terse` prints `123` for a job and
 * `123.1-4:1` for an array job.
 */
export function qsub(
  argv: readonly string[],
  o: QsubOptions,
): Promise<{ ok: true; jobId: string } | { ok: false; message: string }> {
  return submitRetried({
    command: 'qsub',
    rate: o.rate,
    retries: o.retries,
    backoff: o.backoff,
    call: () => o.run('qsub', argv),
    jobIdOf: (stdout) => /^(\d+)(?:\.\S*)?$/m.exec(stdout)?.[1],
    isTransient,
    lookUp: () => lookUp(o),
  });
}

/** The job of this name if Grid Engine has it: in the queue, or (a short job) already ended. */
async function lookUp(o: QsubOptions): Promise<string | undefined> {
  const found = await findByName(o.run, o.user, [o.jobName]);
  const id = found.ok ? found.ids.get(o.jobName) : undefined;
  if (id) return id;
  const records = await queryAccounting(o.run, o.jobName);
  return [...records.keys()][0]?.split('.')[0];
}
