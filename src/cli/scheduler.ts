import { join } from 'node:path';
import type { CampaignScheduler, SchedulerOptions, SchedulerType } from '../model/campaign.js';
import type { SchedulerAdapter } from '../schedulers/contract.js';
import { LocalAdapter } from '../schedulers/local/adapter.js';
import { SlurmAdapter } from '../schedulers/slurm/adapter.js';
import type { RunHeader } from '../state/journal.js';
import type { StatePaths } from '../state/paths.js';
import { UsageError } from './exit.js';

/** The adapter of a run, built from the scheduler settings it runs with. */
export function adapterFor(
  sched: CampaignScheduler,
  run: { readonly paths: StatePaths; readonly runId: string; readonly campaign: string },
): SchedulerAdapter {
  if (sched.type === 'slurm') {
    return new SlurmAdapter({
      dir: join(run.paths.run(run.runId), 'slurm'),
      campaign: run.campaign,
      runId: run.runId,
      ...(sched.pollInterval !== undefined ? { pollInterval: sched.pollInterval } : {}),
      ...(sched.submitRate !== undefined ? { submitRate: sched.submitRate } : {}),
    });
  }
  if (sched.type === 'sge') {
    throw new UsageError(
      'the Grid Engine adapter is not available yet: use scheduler type "local" or "slurm"',
    );
  }
  return new LocalAdapter();
}

/** The scheduler a run was started with, as its `run` record keeps it. */
export function recordedScheduler(head: RunHeader | undefined): CampaignScheduler | undefined {
  if (!head) return undefined;
  if (head.sched) return head.sched;
  // A run of an older version recorded the adapter's name only.
  return head.scheduler ? { type: head.scheduler as SchedulerType } : undefined;
}

const OPTION_KEYS = ['partition', 'queue', 'account', 'project', 'qos', 'directives'] as const;

/**
 * `--set` overrides that make the campaign's scheduler settings the recorded ones (type and
 * per-job options such as the partition), for a head that continues a run; empty when they
 * are already the same.
 */
export function schedulerOverrides(recorded: CampaignScheduler, now: CampaignScheduler): string[] {
  const out: string[] = [];
  if (recorded.type !== now.type) out.push(`scheduler.type=${JSON.stringify(recorded.type)}`);
  for (const k of OPTION_KEYS) {
    const v = (recorded as SchedulerOptions)[k];
    if (v !== undefined && JSON.stringify(v) !== JSON.stringify((now as SchedulerOptions)[k]))
      out.push(`scheduler.${k}=${JSON.stringify(v)}`);
  }
  return out;
}
