import type { SchedulerType } from '../../model/campaign.js';
import type { QueueAnswer } from '../../schedulers/contract.js';
import { schedulers } from '../../schedulers/index.js';
import { type AttemptRecord, readAttempts } from '../../state/attempts.js';
import { sameCampaign } from '../../state/layout.js';
import { Lock } from '../../state/lock.js';
import type { TaskRecord } from '../../state/store.js';
import { formatFailures, formatStatus, statusHeader, type TaskView } from '../../ui/status.js';
import { statusJson } from '../../ui/status-json.js';
import { type TaskViewSource, taskView } from '../../ui/status-views.js';
import { type CampaignContext, openCampaign } from '../context.js';
import { Exit } from '../exit.js';
import { out } from '../io.js';
import { defaultCampaignFile } from '../locate-file.js';
import { campaignOptions, parse } from '../options.js';
import { recordedScheduler } from '../scheduler.js';

export const usage = `Usage: campaign status [FILE] [--failed] [--json] [--state-dir DIR]

Shows every subcampaign's tasks by state, and totals, from the recorded state. Works while a
run is going, from another shell. When a run on a batch scheduler has no head (--detach),
one queue query tells which of its jobs run, wait or are gone. Without FILE, the campaign of
the latest run here.

  --failed     list failed, skipped and cancelled tasks with their reasons, what their last
               attempt used of what it asked for, and their log paths
  --json       the same as JSON, with every attempt of every task (docs/cli.md)

Examples:
  campaign status campaigns/so-mapmaking/campaign.toml
  campaign status --failed`;

export async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...campaignOptions,
      failed: { type: 'boolean' },
      json: { type: 'boolean' },
      'state-dir': { type: 'string' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0] ?? defaultCampaignFile(values['state-dir']);
  const ctx = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
  });
  const { loaded, paths, store } = ctx;
  const holder = Lock.read(paths.lock);
  const live = holder && !Lock.isStale(paths.lock, holder) ? holder : undefined;
  // The table lists only unfinished tasks: their attempts are read only if there are some.
  const views = await taskViews(ctx, live === undefined, values.json === true || values.failed === true);
  const runs = store.runs();
  const last = runs[runs.length - 1];
  if (values.json) {
    out(statusJson({ campaign: loaded.campaign.name, run: last, running: live, tasks: views }));
    return Exit.ok;
  }
  if (values.failed) {
    out(formatFailures(views));
    return Exit.ok;
  }
  out(formatStatus(loaded.campaign, statusHeader(loaded.campaign.name, last, live), views, Date.now()));
  return Exit.ok;
}

/**
 * Each task's view: the tasks of the campaign as it loads now, and the recorded ones it no
 * longer lists because `skip_complete` left their items out as done (chunks of a node whose
 * items are all complete). Without a head, unfinished jobs on a batch scheduler are looked up
 * with one queue query. Every task's recorded attempts come from the campaign's journals.
 */
async function taskViews(ctx: CampaignContext, headless: boolean, every: boolean): Promise<TaskView[]> {
  const { tasks, store, paths } = ctx;
  const schedOf = (rec: TaskRecord): SchedulerType =>
    recordedScheduler(store.header(rec.startRun ?? rec.run))?.type ?? ctx.loaded.campaign.scheduler.type;
  // Asked only without a head (a head knows better), and only if there is something to ask.
  const queue = headless ? await lookUp(ctx, schedOf) : undefined;
  const runs = store.runIds().filter((id) => {
    const h = store.header(id);
    return h === undefined || sameCampaign(h, paths, ctx.file);
  });
  const listed = every || store.unfinished().length > 0;
  const attempts = listed ? readAttempts(paths, runs) : new Map<string, AttemptRecord[]>();
  const src: TaskViewSource = {
    log: (run, id, a) => paths.attempt(run, id, a).err,
    attempts: (id) => attempts.get(id),
    // A snapshot of an older version does not say pid or job id: the run's scheduler does
    // (work that goes on without a head is a batch scheduler's job; the rest are processes).
    placement: (rec) => rec.placement ?? (schedulers[schedOf(rec)].detachable ? 'job' : 'pid'),
    ...(queue ? { queue: (jobId: string) => queue.get(jobId) ?? {} } : {}),
  };
  const views = tasks.tasks.map((t) => taskView(t.id, t.node.id, store.tasks.get(t.id), src));
  const leftOut = new Set(tasks.nodes.filter((n) => (n.fanout?.skipped ?? 0) > 0).map((n) => n.node.id));
  if (leftOut.size > 0) {
    for (const [id, rec] of store.tasks) {
      const node = nodeOf(id);
      if (rec.state === 'succeeded' && leftOut.has(node) && !tasks.indexOf.has(id))
        views.push(taskView(id, node, rec, src));
    }
  }
  return views;
}

/**
 * What the schedulers say of the unfinished jobs of runs that no head watches: one query per
 * scheduler that can be asked (the registry's `lookUp`), for every such job at once.
 */
async function lookUp(
  ctx: CampaignContext,
  schedOf: (rec: TaskRecord) => SchedulerType,
): Promise<Map<string, QueueAnswer> | undefined> {
  const bySched = new Map<SchedulerType, string[]>();
  for (const [, rec] of ctx.store.unfinished()) {
    if (!rec.jobId || rec.placement === 'pid') continue;
    const type = schedOf(rec);
    if (!schedulers[type].lookUp) continue;
    const ids = bySched.get(type);
    if (ids) ids.push(rec.jobId);
    else bySched.set(type, [rec.jobId]);
  }
  if (bySched.size === 0) return undefined;
  const out = new Map<string, QueueAnswer>();
  for (const [type, ids] of bySched) {
    const answers = await schedulers[type].lookUp!(ids);
    for (const [id, a] of answers ?? []) out.set(id, a);
  }
  return out;
}

/** The node of a task id: `node` of `node[instance]`. */
function nodeOf(id: string): string {
  const b = id.indexOf('[');
  return b < 0 ? id : id.slice(0, b);
}
