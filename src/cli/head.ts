import { mkdirSync } from 'node:fs';
import { type Capacity, Engine } from '../exec/engine.js';
import type { EngineEvent, EventSink } from '../exec/events.js';
import { MarkerSink } from '../exec/markers.js';
import type { RequestCap } from '../exec/retry.js';
import type { RunPlan } from '../exec/select.js';
import type { CampaignScheduler } from '../model/campaign.js';
import type { TaskSpec } from '../model/tasks.js';
import { JournalSink } from '../state/journal-sink.js';
import { describeHolder, Lock } from '../state/lock.js';
import { LogSink } from '../state/log-sink.js';
import { describeWriteError, probeWrite } from '../state/probe.js';
import { nextRunId } from '../state/store.js';
import type { UiMode } from '../ui/mode.js';
import { openView } from '../ui/view.js';
import type { CampaignContext } from './context.js';
import { Exit, IoFailure, LockedError } from './exit.js';
import { GuardedAdapter } from './guarded-adapter.js';
import { batched, err, out } from './io.js';
import { adapterFor } from './scheduler.js';
import { leftovers } from './takeover.js';

/** How a head runs: what `run` decided, or what `watch` took over from a run without a head. */
export interface HeadOptions {
  readonly ctx: CampaignContext;
  readonly plan: RunPlan;
  /** The scheduler: the campaign file's for `run`, the picked-up run's own for `watch`. */
  readonly sched: CampaignScheduler;
  readonly ui: UiMode | undefined;
  readonly capacity: Capacity;
  readonly failFast: boolean;
  readonly detach: boolean;
  /** Why the run is made (`--reason`), kept on its record for the audit history. */
  readonly reason?: string;
  /** What each task's escalated request may grow to (its partition's limits). */
  readonly requestCap?: (t: TaskSpec) => RequestCap;
}

/** Milliseconds between two reads of the lock by a hand-over (the heartbeat reads it too). */
const HANDOVER_LOCK_CHECK_MS = 100;

/**
 * The head of a run: takes the lock, records the run, runs the engine with the views, and
 * stops handing out work as soon as it may not go on safely: its lock was removed or taken
 * over, or the state directory cannot be written.
 */
export async function runHead(o: HeadOptions): Promise<number> {
  const { ctx, plan, sched } = o;
  const { loaded, tasks, paths, store, file } = ctx;
  const acquired = Lock.acquire(paths.lock, nextRunId(store));
  if (!acquired.ok) {
    throw new LockedError(
      `${file} is being run by another campaign process (${describeHolder(acquired.holder)}); wait for it, watch it with 'campaign watch', or stop it with 'campaign cancel'`,
    );
  }
  const lock = acquired.lock;
  try {
    store.load();
    // Chosen under the lock: a head that ran meanwhile has taken the number it saw first.
    const runId = nextRunId(store);
    lock.retag(runId);
    const check = leftovers(store, paths, file);
    if (!check.ok) throw new LockedError(check.message);
    const left = check.left;
    if (left.scheduler && left.scheduler.type !== sched.type) {
      const n = left.attempts.length;
      throw new LockedError(
        `run ${left.runs.join(', ')} left ${n} attempt${n === 1 ? '' : 's'} on ${left.scheduler.type}, and ${file} now runs on ${sched.type}, which cannot follow ${n === 1 ? 'it' : 'them'}; 'campaign watch ${file}' follows the run to its end on ${left.scheduler.type}, 'campaign cancel ${file}' stops it`,
      );
    }
    const inner = await adapterFor(sched, { paths, runId, campaign: loaded.campaign.name });
    let journal: JournalSink;
    let log: LogSink;
    try {
      // Fold earlier journals into the snapshot before this run's journal starts.
      store.compact();
      mkdirSync(paths.run(runId), { recursive: true });
      journal = new JournalSink(
        paths.journal(runId),
        tasks,
        {
          file: loaded.campaign.file,
          fid: paths.identity(loaded.campaign.file),
          sched,
          argv: ['campaign', ...process.argv.slice(2)],
          ...(o.reason !== undefined ? { reason: o.reason } : {}),
        },
        store.seq,
      );
      log = new LogSink(paths.log(runId), runId);
    } catch (e) {
      throw new IoFailure(describeWriteError(paths.root, e as NodeJS.ErrnoException));
    }

    let engine: Engine | undefined;
    let stateError: string | undefined;
    let lockLost: string | undefined;
    // Nothing more may be handed out, but what runs is left to finish: its launcher records
    // its result beside the journal, so the next run collects it instead of running it again.
    const stateFailed = (e: NodeJS.ErrnoException) => {
      if (stateError) return;
      stateError = describeWriteError(paths.root, e);
      engine?.halt(stateError, { cancelRunning: false });
    };
    const lockGone = (reason: string) => {
      if (lockLost) return;
      lockLost = reason;
      engine?.halt(reason, { cancelRunning: false });
    };
    journal.onError = stateFailed;
    log.onError = stateFailed;
    lock.watch(lockGone);
    const cancelErrors: string[] = [];
    const adapter = new GuardedAdapter(inner, {
      refusal: () => {
        if (stateError) return stateError;
        const lost = lock.check(HANDOVER_LOCK_CHECK_MS);
        if (lost) lockGone(lost);
        return lockLost;
      },
      cancelFailed: (message, hs) => {
        cancelErrors.push(`${hs.length} attempt${hs.length === 1 ? '' : 's'}: ${message}`);
      },
      inspect: (updates) => {
        // An attempt without a result may have been refused the space to record it.
        if (stateError || !updates.some((u) => u.kind === 'ended' && u.failure === 'lost')) return;
        const e = probeWrite(paths.run(runId));
        if (e) stateFailed(e);
      },
    });

    const sinks: EventSink[] = [journal, log, markerSink(ctx)];
    const stdout = batched(out);
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      engine?.cancel();
    };
    const view = await openView({
      ui: o.ui,
      file,
      stdout,
      canDetach: adapter.detachable,
      onCancel: onSignal,
      onInterrupt: onSignal,
      // Leaving the view of a batch run leaves the run to the scheduler.
      onLeave: () => engine?.leave(),
    });
    sinks.push(view.sink, { handle: () => {}, close: stdout.flush });
    engine = new Engine({
      campaign: loaded.campaign,
      graph: tasks,
      plan,
      store,
      paths,
      runId,
      adapter,
      emit: (e: EngineEvent) => {
        // A hand-over that failed to prepare its files may have met a full state directory.
        if (e.type === 'task' && e.reason === 'failed' && e.failure === 'submit' && !stateError) {
          const full = probeWrite(paths.run(runId));
          if (full) stateFailed(full);
        }
        for (const s of sinks) s.handle(e);
      },
      capacity: o.capacity,
      failFast: o.failFast,
      detach: o.detach,
      ...(o.requestCap ? { requestCap: o.requestCap } : {}),
    });
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
    const status = await engine.run();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    for (const s of sinks) await s.close?.();
    // The journal may fail only at its last record.
    if (journal.failure && !stateError) stateError = describeWriteError(paths.root, journal.failure);
    if (stateError)
      err(
        `campaign: ${stateError}; nothing more was handed out, and a new run resumes once it can be written\n`,
      );
    else if (lockLost)
      err(`campaign: ${lockLost}; this head handed out nothing more and let what it had started finish\n`);
    for (const e of cancelErrors)
      err(`campaign: the scheduler did not cancel ${e}; 'campaign status ${file}' shows what still runs\n`);
    if (status === 'cancelled' || interrupted) return Exit.interrupted;
    if (stateError || lockLost) return Exit.failed;
    if (status === 'detached') {
      out(
        `the campaign runs on ${adapter.name} without this process; follow it with: campaign watch ${file}\n`,
      );
      return Exit.ok;
    }
    return status === 'succeeded' ? Exit.ok : Exit.failed;
  } finally {
    lock.release();
  }
}

/** Writes the `markers` of tasks that succeed; the store gives earlier runs' successes. */
function markerSink(ctx: CampaignContext): MarkerSink {
  const { loaded, tasks, store } = ctx;
  return new MarkerSink(
    tasks,
    loaded.campaign.seed,
    (id) => {
      const r = store.tasks.get(id);
      if (!r || r.okHash === undefined) return undefined;
      return {
        t: r.t,
        hash: r.okHash,
        ...(r.okRun !== undefined ? { run: r.okRun } : {}),
        ...(r.okAttempt !== undefined ? { attempt: r.okAttempt } : {}),
        ...(r.wallMs !== undefined ? { wallMs: r.wallMs } : {}),
      };
    },
    (message) => err(`campaign: ${message}\n`),
  );
}
