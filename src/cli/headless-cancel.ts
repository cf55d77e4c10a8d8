import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TASK_STATES, type TaskState } from '../exec/events.js';
import type { CampaignScheduler } from '../model/campaign.js';
import type { Handle } from '../schedulers/contract.js';
import { readResult } from '../schedulers/launcher/result.js';
import { SlurmAdapter } from '../schedulers/slurm/adapter.js';
import { JobBook } from '../schedulers/slurm/book.js';
import { defaultLocate, place } from '../schedulers/slurm/reattach.js';
import { execaRunner } from '../schedulers/slurm/runner.js';
import { queryQueue } from '../schedulers/slurm/squeue.js';
import { JournalWriter } from '../state/journal.js';
import { describeHolder, Lock } from '../state/lock.js';
import { describeWriteError } from '../state/probe.js';
import { nextRunId } from '../state/store.js';
import type { CampaignContext } from './context.js';
import { Exit, UsageError } from './exit.js';
import { leftovers } from './takeover.js';

/** Slurm states of a job that is over (squeue keeps them for MinJobAge). */
const OVER = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
]);
/** How long to wait for cancelled jobs to leave the queue before recording them. */
const SETTLE_MS = 30_000;

/**
 * Cancels a run that has no head on a batch scheduler (`run --detach`, or a head that died):
 * every job of its unfinished attempts with one scancel, through an adapter built from the
 * run's recorded scheduler. It then records them as cancelled, as a short run of its own
 * (under the campaign's lock, so no head starts meanwhile); an attempt that had finished
 * before the cancel reached it keeps its result, which the next head collects.
 */
export async function cancelWithoutHead(ctx: CampaignContext, sched: CampaignScheduler): Promise<string> {
  const { paths, store, loaded, file } = ctx;
  const acquired = Lock.acquire(paths.lock, nextRunId(store));
  if (!acquired.ok)
    throw new UsageError(
      `a head took the campaign over meanwhile (${describeHolder(acquired.holder)}); run 'campaign cancel ${file}' again`,
      Exit.locked,
    );
  try {
    store.load();
    const runId = nextRunId(store);
    acquired.lock.retag(runId);
    const check = leftovers(store, paths, file);
    if (!check.ok) throw new UsageError(check.message, Exit.locked);
    const { attempts, runs } = check.left;
    let handles: Handle[] = attempts.map(([id, rec]) => ({
      taskId: id,
      attempt: rec.attempt,
      jobId: rec.jobId ?? '',
      files: paths.attempt(rec.startRun!, id, rec.attempt),
    }));
    const run = execaRunner();
    if (handles.some((h) => h.jobId === '')) {
      // Recorded before sbatch answered: found through the run's submission ledger.
      const found = await place(handles, { run, locate: defaultLocate, book: new JobBook() });
      handles = [...found.placed.map((p) => p.handle), ...found.missing];
    }
    const last = runs[runs.length - 1]!;
    const adapter = new SlurmAdapter({
      dir: join(paths.run(last), 'slurm'),
      campaign: loaded.campaign.name,
      runId: last,
      ...(sched.pollInterval !== undefined ? { pollInterval: sched.pollInterval } : {}),
    });
    const withJobs = handles.filter((h) => h.jobId !== '');
    try {
      await adapter.cancel(withJobs);
    } catch (e) {
      throw new UsageError(`cannot cancel the run's jobs: ${(e as Error).message}`, Exit.failed);
    } finally {
      await adapter.close();
    }
    await settle(
      run,
      withJobs.map((h) => h.jobId),
    );
    // An attempt that finished before the cancel keeps its result: the next head collects it.
    const finished = handles.filter((h) => {
      const r = readResult(h.files.result);
      return r !== undefined && r.exit === 0 && r.signal === 0 && !r.cancelled && !r.timedOut;
    });
    const cancelled = handles.filter((h) => !finished.includes(h));
    record(ctx, runId, sched, cancelled, attempts);
    const n = cancelled.length;
    const jobs = `${n} attempt${n === 1 ? '' : 's'}`;
    return `no head is running the campaign: cancelled ${jobs} of run ${runs.join(', ')} on ${sched.type} (one scancel) and recorded ${n === 1 ? 'it' : 'them'} as cancelled${
      finished.length > 0
        ? `; ${finished.length} had finished already, and the next run collects ${finished.length === 1 ? 'it' : 'them'}`
        : ''
    }`;
  } finally {
    acquired.lock.release();
  }
}

/** Waits (bounded) until the jobs have left the queue, so that what they record is final. */
async function settle(run: ReturnType<typeof execaRunner>, jobIds: readonly string[]): Promise<void> {
  const until = Date.now() + SETTLE_MS;
  while (jobIds.length > 0 && Date.now() < until) {
    const q = await queryQueue(run, jobIds);
    if (!q.ok) return;
    const live = jobIds.filter((id) => {
      const row = q.rows.get(id);
      return row !== undefined && !OVER.has(row.state);
    });
    if (live.length === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The cancellations as a run of their own: its record, one `c` per attempt, its end. */
function record(
  ctx: CampaignContext,
  runId: string,
  sched: CampaignScheduler,
  cancelled: readonly Handle[],
  attempts: readonly [string, { startRun?: string }][],
): void {
  const { paths, store, loaded } = ctx;
  const from = new Map(attempts.map(([id, rec]) => [id, rec.startRun!]));
  const runs = store.runIds();
  const sel = store.header(runs[runs.length - 1] ?? '')?.sel;
  const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  counts.cancelled = cancelled.length;
  let writer: JournalWriter;
  try {
    mkdirSync(paths.run(runId), { recursive: true });
    writer = new JournalWriter(paths.journal(runId));
  } catch (e) {
    throw new UsageError(describeWriteError(paths.root, e as NodeJS.ErrnoException), Exit.failed);
  }
  const t = Date.now();
  writer.append({
    k: 'run',
    t,
    run: runId,
    pid: process.pid,
    host: hostname(),
    file: loaded.campaign.file,
    fid: paths.identity(loaded.campaign.file),
    campaign: loaded.campaign.name,
    scheduler: sched.type,
    sched,
    tasks: sel?.length ?? cancelled.length,
    ...(sel ? { sel } : {}),
  });
  for (const h of cancelled)
    writer.append({ k: 'c', t, id: h.taskId, a: h.attempt, r0: from.get(h.taskId)! });
  writer.append({ k: 'end', t, status: 'cancelled', counts });
  writer.close();
  if (writer.failure)
    throw new UsageError(
      `the jobs are cancelled, but ${describeWriteError(paths.root, writer.failure)}`,
      Exit.failed,
    );
}
