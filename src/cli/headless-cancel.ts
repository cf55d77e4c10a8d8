import { mkdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { TASK_STATES, type TaskState } from '../exec/events.js';
import type { CampaignScheduler } from '../model/campaign.js';
import type { Handle, SchedulerAdapter, Update } from '../schedulers/contract.js';
import { JournalWriter } from '../state/journal.js';
import { describeHolder, Lock } from '../state/lock.js';
import { describeWriteError } from '../state/probe.js';
import { nextRunId } from '../state/store.js';
import type { CampaignContext } from './context.js';
import { IoFailure, LockedError } from './exit.js';
import { adapterFor } from './scheduler.js';
import { leftovers } from './takeover.js';

/** How long to wait for cancelled jobs to leave the queue before recording them. */
const SETTLE_MS = 60_000;

/**
 * Cancels a run that has no head on a batch scheduler (`run --detach`, or a head that died):
 * its unfinished attempts are taken over by an adapter built from the run's recorded
 * scheduler, as a new head would, and cancelled with one call; once the scheduler has said
 * how each ended, they are recorded as cancelled, as a short run of its own (under the
 * campaign's lock, so no head starts meanwhile). An attempt that had finished before the
 * cancel reached it keeps its result, which the next head collects.
 */
export async function cancelWithoutHead(
  ctx: CampaignContext,
  sched: CampaignScheduler,
  reason?: string,
): Promise<string> {
  const { paths, store, loaded, file } = ctx;
  const acquired = Lock.acquire(paths.lock, nextRunId(store));
  if (!acquired.ok)
    throw new LockedError(
      `a head took the campaign over meanwhile (${describeHolder(acquired.holder)}); run 'campaign cancel ${file}' again`,
    );
  try {
    store.load();
    const runId = nextRunId(store);
    acquired.lock.retag(runId);
    const check = leftovers(store, paths, file);
    if (!check.ok) throw new LockedError(check.message);
    const { attempts, runs } = check.left;
    const handles: Handle[] = attempts.map(([id, rec]) => ({
      taskId: id,
      attempt: rec.attempt,
      jobId: rec.jobId ?? '',
      files: paths.attempt(rec.startRun!, id, rec.attempt),
    }));
    const last = runs[runs.length - 1]!;
    const adapter = await adapterFor(sched, { paths, runId: last, campaign: loaded.campaign.name });
    let ended: Map<string, Update & { kind: 'ended' }>;
    try {
      ended = await cancelAll(adapter, handles);
    } catch (e) {
      throw new IoFailure(`cannot cancel the run's jobs: ${(e as Error).message}`);
    } finally {
      await adapter.close();
    }
    // An attempt that finished before the cancel keeps its result: the next head collects it.
    const key = (h: Handle) => `${h.taskId}\0${h.attempt}`;
    const finished = handles.filter((h) => {
      const u = ended.get(key(h));
      return u !== undefined && u.failure === undefined;
    });
    const cancelled = handles.filter((h) => !finished.includes(h));
    record(ctx, runId, sched, cancelled, attempts, reason);
    const n = cancelled.length;
    const jobs = `${n} attempt${n === 1 ? '' : 's'}`;
    return `no head is running the campaign: cancelled ${jobs} of run ${runs.join(', ')} on ${sched.type} and recorded ${n === 1 ? 'it' : 'them'} as cancelled${
      finished.length > 0
        ? `; ${finished.length} had finished already, and the next run collects ${finished.length === 1 ? 'it' : 'them'}`
        : ''
    }`;
  } finally {
    acquired.lock.release();
  }
}

/**
 * Takes the attempts over, cancels them all with one call and waits (bounded) until the
 * adapter has reported how each ended, so that what they record is final. An attempt handed
 * over before its job id was known is placed by the adapter's reattach (a `queued` update).
 */
async function cancelAll(
  adapter: SchedulerAdapter,
  handles: readonly Handle[],
): Promise<Map<string, Update & { kind: 'ended' }>> {
  const key = (h: Handle) => `${h.taskId}\0${h.attempt}`;
  const current = new Map(handles.map((h) => [key(h), h]));
  const ended = new Map<string, Update & { kind: 'ended' }>();
  let wake: (() => void) | undefined;
  adapter.start((updates) => {
    for (const u of updates) {
      if (u.kind === 'queued' || u.kind === 'running') current.set(key(u.handle), u.handle);
      else if (u.kind === 'ended') ended.set(key(u.handle), u);
      else if (u.kind === 'unsatisfiable')
        ended.set(key(u.handle), { kind: 'ended', handle: u.handle, outcome: {}, failure: 'cancelled' });
    }
    wake?.();
  });
  await adapter.reattach(handles);
  const live = [...current.values()].filter((h) => !ended.has(key(h)) && h.jobId !== '');
  if (live.length > 0) await adapter.cancel(live, { force: true });
  const until = Date.now() + SETTLE_MS;
  while (ended.size < current.size && Date.now() < until) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  return ended;
}

/** The cancellations as a run of their own: its record, one `c` per attempt, its end. */
function record(
  ctx: CampaignContext,
  runId: string,
  sched: CampaignScheduler,
  cancelled: readonly Handle[],
  attempts: readonly [string, { startRun?: string }][],
  reason: string | undefined,
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
    throw new IoFailure(describeWriteError(paths.root, e as NodeJS.ErrnoException));
  }
  const t = Date.now();
  writer.append({
    k: 'run',
    t,
    run: runId,
    pid: process.pid,
    host: hostname(),
    ...userOf(),
    argv: ['campaign', ...process.argv.slice(2)],
    ...(reason !== undefined ? { reason } : {}),
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
    throw new IoFailure(`the jobs are cancelled, but ${describeWriteError(paths.root, writer.failure)}`);
}

/** Who cancels, if the system knows. */
function userOf(): { user?: string } {
  try {
    return { user: userInfo().username };
  } catch {
    return {};
  }
}
