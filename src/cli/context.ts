import { mkdirSync } from 'node:fs';
import type { Loaded } from '../model/load.js';
import type { TaskGraph } from '../model/tasks.js';
import { resolveState } from '../state/layout.js';
import type { StatePaths } from '../state/paths.js';
import { StateStore } from '../state/store.js';
import { IoFailure } from './exit.js';
import { loadOrExit } from './load.js';

/** A campaign loaded for a command that works with its state. */
export interface CampaignContext {
  readonly file: string;
  readonly loaded: Loaded;
  readonly tasks: TaskGraph;
  readonly paths: StatePaths;
  readonly store: StateStore;
}

export async function openCampaign(
  file: string,
  opts: {
    set?: string[];
    stateDir?: string;
    create?: boolean;
    runChecks?: boolean;
    removed?: (task: string, files: readonly string[]) => void;
  },
): Promise<CampaignContext> {
  // Only `run` checks `skip_complete` items whose outputs changed; others use cached results.
  const loaded = await loadOrExit({
    file,
    set: opts.set ?? [],
    ...(opts.runChecks ? { runChecks: true } : {}),
    ...(opts.removed ? { removed: opts.removed } : {}),
  });
  const tasks = loaded.tasks;
  const paths = resolveState(file, opts.stateDir, loaded.campaign.stateDir);
  if (opts.create) {
    try {
      mkdirSync(paths.runsDir, { recursive: true });
    } catch (e) {
      throw IoFailure.of('create the state directory', paths.root, e);
    }
  }
  const store = new StateStore(paths).load();
  return { file, loaded, tasks, paths, store };
}
