import type { TaskState } from '../../exec/events.js';
import { execaRunner } from '../../schedulers/slurm/runner.js';
import { type QueueRow, queryQueue } from '../../schedulers/slurm/squeue.js';
import { describeHolder, Lock } from '../../state/lock.js';
import type { TaskRecord } from '../../state/store.js';
import { formatFailures, formatStatus, type TaskView } from '../../ui/status.js';
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

  --failed     list failed, skipped and cancelled tasks with their reasons and log paths
  --json       the same as JSON

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
  const views = await taskViews(ctx, live === undefined);
  const runs = store.runs();
  const last = runs[runs.length - 1];
  if (values.json) {
    out(
      `${JSON.stringify(
        {
          campaign: loaded.campaign.name,
          run: last ? { id: last.id, status: last.status } : null,
          running: live ? { pid: live.pid, host: live.host, since: live.since } : null,
          totals: Object.fromEntries(
            ['pending', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'].map((s) => [
              s,
              views.filter((v) => v.state === s).length,
            ]),
          ),
          tasks: views,
        },
        null,
        2,
      )}\n`,
    );
    return Exit.ok;
  }
  if (values.failed) {
    out(formatFailures(views));
    return Exit.ok;
  }
  const header = `campaign ${loaded.campaign.name}: ${
    last ? `last run ${last.id} (${last.status})` : 'not run yet'
  }${live ? `; running now (${describeHolder(live)})` : ''}`;
  out(formatStatus(loaded.campaign, header, views));
  return Exit.ok;
}

/**
 * Each task's view: the tasks of the campaign as it loads now, and the recorded ones it no
 * longer lists because `skip_complete` left their items out as done (chunks of a node whose
 * items are all complete). Without a head, unfinished jobs on a batch scheduler are looked up
 * with one queue query.
 */
async function taskViews(ctx: CampaignContext, headless: boolean): Promise<TaskView[]> {
  const { tasks, store, paths } = ctx;
  const schedOf = (rec: TaskRecord) =>
    recordedScheduler(store.header(rec.startRun ?? rec.run))?.type ?? ctx.loaded.campaign.scheduler.type;
  // Asked only without a head (a head knows better), and only if there is something to ask.
  const queue = headless ? await lookUp(ctx, schedOf) : undefined;
  const view = (id: string, node: string, rec: TaskRecord | undefined): TaskView => {
    if (!rec) return { id, node, state: 'pending', attempt: 0 };
    const unfinished = rec.state === 'running' || rec.state === 'queued';
    const logRun = unfinished ? (rec.startRun ?? rec.run) : rec.run;
    const local = schedOf(rec) === 'local';
    const asked = queue !== undefined && unfinished && !local && rec.jobId !== undefined;
    const row = asked ? queue.get(rec.jobId!) : undefined;
    const inQueue = row !== undefined && (QUEUED.has(row.state) || RUNNING.has(row.state));
    const state: TaskState = row && inQueue ? (QUEUED.has(row.state) ? 'queued' : 'running') : rec.state;
    const gone = asked && !inQueue;
    return {
      id,
      node,
      state,
      attempt: rec.attempt,
      run: rec.run,
      ...(rec.failure ? { failure: rec.failure } : {}),
      ...(rec.message ? { message: rec.message } : {}),
      ...(rec.attempt > 0 ? { log: paths.attempt(logRun, id, rec.attempt).err } : {}),
      ...(rec.jobId
        ? {
            where: local
              ? `pid ${rec.jobId}`
              : `job ${rec.jobId}${gone ? `, ${row ? row.state.toLowerCase() : 'gone from the queue'}: 'campaign watch' collects it` : ''}`,
          }
        : {}),
    };
  };
  const views = tasks.tasks.map((t) => view(t.id, t.node.id, store.tasks.get(t.id)));
  const leftOut = new Set(tasks.nodes.filter((n) => (n.fanout?.skipped ?? 0) > 0).map((n) => n.node.id));
  if (leftOut.size > 0) {
    for (const [id, rec] of store.tasks) {
      const node = nodeOf(id);
      if (rec.state === 'succeeded' && leftOut.has(node) && !tasks.indexOf.has(id))
        views.push(view(id, node, rec));
    }
  }
  return views;
}

const QUEUED = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'SUSPENDED', 'RESV_DEL_HOLD']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'SIGNALING', 'STAGE_OUT', 'RESIZING']);

/** One squeue for the unfinished jobs of runs on Slurm that no head watches. */
async function lookUp(
  ctx: CampaignContext,
  schedOf: (rec: TaskRecord) => string,
): Promise<Map<string, QueueRow> | undefined> {
  const ids = ctx.store
    .unfinished()
    .filter(([, rec]) => rec.jobId && schedOf(rec) === 'slurm')
    .map(([, rec]) => rec.jobId!);
  if (ids.length === 0) return undefined;
  const q = await queryQueue(execaRunner(), ids);
  return q.ok ? q.rows : undefined;
}

/** The node of a task id: `node` of `node[instance]`. */
function nodeOf(id: string): string {
  const b = id.indexOf('[');
  return b < 0 ? id : id.slice(0, b);
}
