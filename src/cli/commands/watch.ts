import type { EventSink } from '../../exec/events.js';
import { Action, planRun, type RunPlan } from '../../exec/select.js';
import type { TaskGraph } from '../../model/tasks.js';
import { JournalFollower } from '../../state/follow.js';
import { Lock, provenHead } from '../../state/lock.js';
import type { UiMode } from '../../ui/mode.js';
import { openView } from '../../ui/view.js';
import { type CampaignContext, openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { runHead } from '../head.js';
import { batched, out } from '../io.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, parse, stateDirOption, uiOf, uiOption } from '../options.js';
import { requestCaps, runGraph } from '../planner.js';
import { recordedScheduler, schedulerOverrides } from '../scheduler.js';
import { capacityOf } from './run.js';

export const usage = `Usage: campaign watch [FILE] [--ui dashboard|plain|json] [--state-dir DIR]

Attaches the live view to the campaign's run. With a run going (in another shell), the view
follows its journal; it changes nothing but can cancel the run. With no head (a detached
cluster run, or one whose head crashed), watch picks the work up: it reattaches to the
running jobs, collects what ended, applies retries, and hands over what is left of that
run's tasks, on that run's scheduler (whatever the campaign file says now), like
'campaign run'. With nothing left to do, it shows how the latest run ended.

Examples:
  campaign watch campaigns/so-mapmaking/campaign.toml
  campaign watch --ui plain`;

export async function watch(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...campaignOptions, ...uiOption, ...stateDirOption }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const ui = uiOf(values.ui);
  if (positionals.length > 1) throw new UsageError(`watch takes at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[0], values['state-dir']);
  const ctx = await openCampaign(file, { set: values.set ?? [], stateDir: values['state-dir'] });
  const { paths, store, tasks, loaded } = ctx;
  const holder = Lock.read(paths.lock);
  const live = holder && !Lock.isStale(paths.lock, holder) ? holder : undefined;

  // Nobody is watching the work: become its head.
  if (!live && store.unfinished().length > 0) return pickUp(ctx, values.set ?? [], values['state-dir'], ui);
  const runs = store.runIds();
  const runId = live?.runId ?? runs[runs.length - 1];
  if (!runId) throw new UsageError(`${file} has not run yet`);

  const follower = new JournalFollower(
    paths,
    runId,
    tasks,
    recordedScheduler(store.header(runId))?.type ?? loaded.campaign.scheduler.type,
  );
  const stdout = batched(out);
  const view = await openView({
    ui,
    file,
    stdout,
    canDetach: true,
    onCancel: () => {
      // Only a process proven to be the head (pid, start time, boot) is ever signalled.
      if (live && provenHead(live)) process.kill(live.pid, 'SIGTERM');
    },
  });
  const sinks: EventSink[] = [view.sink];
  let interrupted = false;
  const stop = () => {
    interrupted = true;
  };
  process.on('SIGINT', stop);
  try {
    for (;;) {
      for (const e of follower.poll()) for (const s of sinks) s.handle(e);
      if (follower.finished || interrupted || view.left()) break;
      if (!live && !follower.finished) {
        // A run that ended without its end record (the head died): nothing more will come.
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    process.off('SIGINT', stop);
    for (const s of sinks) await s.close?.();
    stdout.flush();
  }
  return interrupted ? Exit.interrupted : Exit.ok;
}

/**
 * Becomes the head of the latest run, which has none (detached, or its head died): the run's
 * own scheduler and per-job options, never the campaign file's as it is now, and only the
 * run's own tasks.
 */
async function pickUp(
  ctx: CampaignContext,
  set: string[],
  stateDir: string | undefined,
  ui: UiMode | undefined,
): Promise<number> {
  const runs = ctx.store.runIds();
  const head = ctx.store.header(runs[runs.length - 1]!);
  const sched = recordedScheduler(head) ?? ctx.loaded.campaign.scheduler;
  const overrides = schedulerOverrides(sched, ctx.loaded.campaign.scheduler);
  const c =
    overrides.length > 0 ? await openCampaign(ctx.file, { set: [...set, ...overrides], stateDir }) : ctx;
  const selected = planRun(c.tasks, c.store, { force: false, retryFailed: false });
  if (!selected.ok) throw new UsageError(selected.message);
  const plan = head?.sel ? restrict(selected.plan, c.tasks, head.sel) : selected.plan;
  // New attempts ask for what the planner sizes, as the run that started the work did.
  const planned = runGraph(c, c.loaded.campaign.history === 'apply');
  const requestCap = requestCaps(c);
  return runHead({
    ctx: planned === c.tasks ? c : { ...c, tasks: planned },
    plan,
    sched: { ...c.loaded.campaign.scheduler, ...sched },
    ui,
    capacity: capacityOf({}),
    failFast: false,
    detach: false,
    ...(requestCap ? { requestCap } : {}),
  });
}

/** A plan cut down to a run's selection: the other tasks are not part of it. */
function restrict(plan: RunPlan, graph: TaskGraph, sel: readonly string[]): RunPlan {
  const keep = new Set(sel);
  graph.tasks.forEach((t, v) => {
    if (keep.has(t.id) || plan.action[v] === Action.Excluded) return;
    plan.upToDate[v] = plan.action[v] === Action.Done ? 1 : 0;
    plan.action[v] = Action.Excluded;
    plan.reason[v] = undefined;
  });
  return plan;
}
