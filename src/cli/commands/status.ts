import { describeHolder, Lock } from '../../state/lock.js';
import { formatFailures, formatStatus, type TaskView } from '../../ui/status.js';
import { openCampaign } from '../context.js';
import { Exit } from '../exit.js';
import { out } from '../io.js';
import { defaultCampaignFile } from '../locate-file.js';
import { campaignOptions, parse } from '../options.js';

export const usage = `Usage: campaign status [FILE] [--failed] [--json] [--state-dir DIR]

Shows every subcampaign's tasks by state, and totals, from the recorded state. Works while a
run is going, from another shell. Without FILE, the campaign of the latest run here.

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
  const { loaded, tasks, paths, store } = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
  });
  const views: TaskView[] = tasks.tasks.map((t) => {
    const rec = store.tasks.get(t.id);
    if (!rec) return { id: t.id, node: t.node.id, state: 'pending', attempt: 0 };
    const logRun = rec.state === 'running' || rec.state === 'queued' ? (rec.startRun ?? rec.run) : rec.run;
    return {
      id: t.id,
      node: t.node.id,
      state: rec.state,
      attempt: rec.attempt,
      run: rec.run,
      ...(rec.failure ? { failure: rec.failure } : {}),
      ...(rec.message ? { message: rec.message } : {}),
      ...(rec.attempt > 0 ? { log: paths.attempt(logRun, t.id, rec.attempt).err } : {}),
      ...(rec.jobId
        ? { where: loaded.campaign.scheduler.type === 'local' ? `pid ${rec.jobId}` : `job ${rec.jobId}` }
        : {}),
    };
  });
  const runs = store.runs();
  const last = runs[runs.length - 1];
  const holder = Lock.read(paths.lock);
  const live = holder && !Lock.isStale(paths.lock, holder) ? holder : undefined;
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
