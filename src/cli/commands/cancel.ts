import { hostname } from 'node:os';
import { isOurs } from '../../schedulers/local/adapter.js';
import { alive, describeHolder, Lock } from '../../state/lock.js';
import { openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { defaultCampaignFile } from '../locate-file.js';
import { parse } from '../options.js';

export const usage = `Usage: campaign cancel [FILE] [--state-dir DIR]

Cancels the campaign's run: the running head is asked to stop (as with Ctrl-C: running tasks
are terminated, state recorded). Without a head (it crashed), the tasks it left running are
terminated directly; the next run records them.

Examples:
  campaign cancel campaigns/so-mapmaking/campaign.toml
  campaign cancel`;

export async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      'state-dir': { type: 'string' },
      set: { type: 'string', multiple: true },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0] ?? defaultCampaignFile(values['state-dir']);
  const { paths, store, tasks } = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
  });
  const holder = Lock.read(paths.lock);
  if (holder && !Lock.isStale(paths.lock, holder)) {
    if (holder.host !== hostname()) {
      throw new UsageError(
        `the run is held by ${describeHolder(holder)}; cancel it on that host`,
        Exit.usage,
      );
    }
    process.kill(holder.pid, 'SIGTERM');
    out(`cancelling run ${holder.runId ?? '?'} (${describeHolder(holder)})\n`);
    // Wait for the head to record the cancellation and let go of the lock.
    for (let i = 0; i < 600 && alive(holder.pid); i++) await new Promise((r) => setTimeout(r, 100));
    out(alive(holder.pid) ? 'the run is still stopping\n' : 'cancelled\n');
    return Exit.ok;
  }
  let stopped = 0;
  for (const t of tasks.tasks) {
    const rec = store.tasks.get(t.id);
    if (!rec || (rec.state !== 'running' && rec.state !== 'queued') || !rec.jobId || !rec.startRun) continue;
    const handle = {
      taskId: t.id,
      attempt: rec.attempt,
      jobId: rec.jobId,
      files: paths.attempt(rec.startRun, t.id, rec.attempt),
    };
    if (isOurs(handle)) {
      process.kill(Number(rec.jobId), 'SIGTERM');
      stopped++;
    }
  }
  out(
    stopped > 0
      ? `no run is active; terminated ${stopped} task${stopped === 1 ? '' : 's'} it left running\n`
      : 'no run is active\n',
  );
  return Exit.ok;
}
