import { hostname } from 'node:os';
import { schedulers } from '../../schedulers/index.js';
import { isOurs } from '../../schedulers/launcher/pid.js';
import { recordCancel } from '../../state/history.js';
import { describeHolder, holderAlive, Lock, provenHead } from '../../state/lock.js';
import { describeWriteError } from '../../state/probe.js';
import { type CampaignContext, openCampaign } from '../context.js';
import { Exit, LockedError, UsageError } from '../exit.js';
import { cancelWithoutHead } from '../headless-cancel.js';
import { err, out } from '../io.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, parse, stateDirOption } from '../options.js';
import { leftovers } from '../takeover.js';

export const usage = `Usage: campaign cancel [FILE] [--reason TEXT] [--state-dir DIR]

Cancels the campaign's run: the running head is asked to stop (as with Ctrl-C: running tasks
are terminated, state recorded). Without a head (a detached cluster run, or a head that
crashed), the run's work is stopped through the scheduler the run was started with: on a
batch scheduler every job of the run with one scancel, recorded as cancelled; locally the
tasks it left running are terminated, and the next run records them. A cancel without a
head is recorded as a short run of its own, with who, the command line and --reason; a cancel
of a running head is recorded in its run's folder before the head is signalled (campaign
history shows both).

Examples:
  campaign cancel campaigns/so-mapmaking/campaign.toml
  campaign cancel`;

export async function cancel(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, ...stateDirOption, reason: { type: 'string' } },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`cancel takes at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[0], values['state-dir']);
  const ctx = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
  });
  const { paths, store } = ctx;
  const holder = Lock.read(paths.lock);
  if (holder && !Lock.isStale(paths.lock, holder)) {
    if (holder.host !== hostname()) {
      throw new UsageError(
        `the run is held by ${describeHolder(holder)}; cancel it on that host`,
        Exit.usage,
      );
    }
    // Never a signal to a process not proven to be the head: pid, start time and boot.
    if (!provenHead(holder)) {
      throw new UsageError(
        `the lock ${paths.lock} names ${describeHolder(holder)}, which cannot be proven to be a campaign head; if no campaign runs, remove the lock`,
        Exit.usage,
      );
    }
    recordLiveCancel(ctx, holder.runId, values.reason);
    process.kill(holder.pid, 'SIGTERM');
    out(`cancelling run ${holder.runId ?? '?'} (${describeHolder(holder)})\n`);
    // Wait for the head to record the cancellation and let go of the lock.
    for (let i = 0; i < 600 && holderAlive(holder); i++) await new Promise((r) => setTimeout(r, 100));
    out(holderAlive(holder) ? 'the run is still stopping\n' : 'cancelled\n');
    return Exit.ok;
  }
  const check = leftovers(store, paths, file);
  if (!check.ok) throw new LockedError(check.message);
  const { attempts, scheduler } = check.left;
  const sched = scheduler ?? ctx.loaded.campaign.scheduler;
  // On a batch scheduler the jobs wait for no head; locally, a dead head's launchers may linger.
  if (attempts.length > 0 && schedulers[sched.type].detachable) {
    out(`${await cancelWithoutHead(ctx, sched, values.reason)}\n`);
    return Exit.ok;
  }
  let stopped = 0;
  for (const [id, rec] of attempts) {
    if (!rec.jobId) continue;
    const handle = {
      taskId: id,
      attempt: rec.attempt,
      jobId: rec.jobId,
      files: paths.attempt(rec.startRun!, id, rec.attempt),
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

/**
 * The cancel of a running head, for the history: in the folder of the run it holds (the
 * latest run when the lock does not name one). A state directory that cannot be written
 * never keeps the head from being stopped: the cancel goes on, and says what was not recorded.
 */
function recordLiveCancel(ctx: CampaignContext, runId: string | undefined, reason: string | undefined): void {
  const run = runId ?? ctx.store.runIds().at(-1);
  if (run === undefined) return;
  try {
    recordCancel(ctx.paths, run, reason);
  } catch (e) {
    err(
      `warning: the cancel is not in the history: ${describeWriteError(ctx.paths.root, e as NodeJS.ErrnoException)}\n`,
    );
  }
}
