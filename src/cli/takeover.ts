import type { CampaignScheduler } from '../model/campaign.js';
import { sameCampaign } from '../state/layout.js';
import type { StatePaths } from '../state/paths.js';
import type { StateStore, TaskRecord } from '../state/store.js';
import { recordedScheduler } from './scheduler.js';

/** Attempts that earlier runs left unfinished, grouped by the run that started them. */
export interface Leftovers {
  readonly attempts: readonly [string, TaskRecord][];
  /** The scheduler they run on, from the run that started them; undefined if none is known. */
  readonly scheduler: CampaignScheduler | undefined;
  readonly runs: readonly string[];
}

export type TakeoverCheck = { ok: true; left: Leftovers } | { ok: false; message: string };

/**
 * Whether a new head of this campaign file may take over what earlier runs left unfinished:
 * only attempts its own campaign file started (a state directory shared with another file
 * must not lend it that file's work), and all on one scheduler.
 */
export function leftovers(store: StateStore, paths: StatePaths, file: string): TakeoverCheck {
  const attempts = store.unfinished();
  const runs = [...new Set(attempts.map(([, r]) => r.startRun!))];
  let scheduler: CampaignScheduler | undefined;
  for (const run of runs) {
    const head = store.header(run);
    const n = attempts.filter(([, r]) => r.startRun === run).length;
    const these = `${n} unfinished attempt${n === 1 ? '' : 's'} of run ${run}`;
    if (head && !sameCampaign(head, paths, file)) {
      return {
        ok: false,
        message: `${paths.root} holds ${these}, started from another campaign file, ${head.file}; follow or stop them with that file ('campaign watch' or 'campaign cancel'), or give each campaign file its own --state-dir`,
      };
    }
    const sched = recordedScheduler(head);
    if (!sched) continue;
    if (scheduler && scheduler.type !== sched.type) {
      return {
        ok: false,
        message: `${paths.root} holds unfinished attempts on ${scheduler.type} and on ${sched.type}; stop them with 'campaign cancel ${file}'`,
      };
    }
    scheduler ??= sched;
  }
  return { ok: true, left: { attempts, scheduler, runs } };
}
