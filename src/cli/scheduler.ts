import type { CampaignScheduler, SchedulerOptions, SchedulerType } from '../model/campaign.js';
import type { SchedulerAdapter } from '../schedulers/contract.js';
import { allOptionKeys, schedulers } from '../schedulers/index.js';
import type { RunHeader } from '../state/journal.js';
import type { StatePaths } from '../state/paths.js';

/** The adapter of a run, built from the scheduler settings it runs with. */
export function adapterFor(
  sched: CampaignScheduler,
  run: { readonly paths: StatePaths; readonly runId: string; readonly campaign: string },
): Promise<SchedulerAdapter> {
  return schedulers[sched.type].create(sched, {
    dir: run.paths.run(run.runId),
    runId: run.runId,
    campaign: run.campaign,
  });
}

/** The scheduler a run was started with, as its `run` record keeps it. */
export function recordedScheduler(head: RunHeader | undefined): CampaignScheduler | undefined {
  if (!head) return undefined;
  if (head.sched) return head.sched;
  // A run of an older version recorded the adapter's name only.
  return head.scheduler ? { type: head.scheduler as SchedulerType } : undefined;
}

/**
 * `--set` overrides that make the campaign's scheduler settings the recorded ones (type and
 * per-job options such as the partition), for a head that continues a run; empty when they
 * are already the same.
 */
export function schedulerOverrides(recorded: CampaignScheduler, now: CampaignScheduler): string[] {
  const out: string[] = [];
  if (recorded.type !== now.type) out.push(`scheduler.type=${JSON.stringify(recorded.type)}`);
  for (const k of allOptionKeys()) {
    const v = settingOf(recorded, k);
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify(settingOf(now, k)))
      out.push(
        `scheduler.${k}=${typeof v === 'number' && k === 'poll_interval' ? JSON.stringify(`${v}s`) : JSON.stringify(v)}`,
      );
  }
  return out;
}

/** A `[campaign.scheduler]` key's value in settings as the model keeps them. */
function settingOf(s: CampaignScheduler, key: string): unknown {
  if (key === 'poll_interval') return s.pollInterval;
  if (key === 'submit_rate') return s.submitRate;
  const own = (s as SchedulerOptions)[key as keyof SchedulerOptions];
  return own !== undefined ? own : s.settings?.[key];
}
