import { existsSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunHeader } from './journal.js';
import { Lock } from './lock.js';
import { StatePaths } from './paths.js';
import { StateStore } from './store.js';

/**
 * The state directory of a campaign file, as `StatePaths.forCampaign` lays it out, with the
 * layout of older versions taken care of. Those kept one campaign's state directly in
 * `.campaign/` (`runs/`, `state.json`, `lock`), shared by every campaign file of the folder.
 * That state is moved into `.campaign/<stem>/` of the campaign file its latest run recorded,
 * the first time that file is used; until then (an older head still holds its lock, or
 * attempts of its runs are still out and will write their results at the old paths) it is
 * used where it is. State of another campaign file is left alone. Nothing is deleted.
 */
export function resolveState(file: string, override?: string, fromFile?: string): StatePaths {
  const paths = StatePaths.forCampaign(file, override, fromFile);
  if (override !== undefined || fromFile !== undefined) return paths;
  const legacy = new StatePaths(dirname(paths.root));
  const store = new StateStore(legacy);
  const runs = store.runIds();
  const last = runs[runs.length - 1];
  if (!last) return paths;
  const head = store.header(last);
  if (!head || basename(head.file) !== basename(file)) return paths;
  const holder = Lock.read(legacy.lock);
  if (holder && !Lock.isStale(legacy.lock, holder)) return legacy;
  if (store.load().unfinished().length > 0) return legacy;
  try {
    migrate(legacy, paths, runs);
  } catch {
    // moved as far as it went; the rest is moved next time
  }
  return new StateStore(legacy).runIds().length > 0 ? legacy : paths;
}

function migrate(legacy: StatePaths, paths: StatePaths, runs: readonly string[]): void {
  mkdirSync(paths.root, { recursive: true });
  if (!existsSync(paths.runsDir)) {
    renameSync(legacy.runsDir, paths.runsDir);
  } else {
    // Both layouts hold runs (an older version ran again): merge them; the snapshot, a cache
    // of the journals, is rebuilt from all of them by the next run.
    for (const id of runs) {
      if (!existsSync(join(paths.runsDir, id))) renameSync(legacy.run(id), paths.run(id));
    }
    for (const p of [paths.snapshot, legacy.snapshot]) if (existsSync(p)) unlinkSync(p);
  }
  if (existsSync(legacy.snapshot) && !existsSync(paths.snapshot)) renameSync(legacy.snapshot, paths.snapshot);
  if (existsSync(legacy.lock)) unlinkSync(legacy.lock); // judged stale above
}

/**
 * Whether a run was started from this campaign file: by the identity it recorded (the file
 * relative to the state directory, so that a moved campaign folder is still itself) or its
 * absolute path; a run of an older version, which recorded only the path, by the file name.
 */
export function sameCampaign(head: RunHeader, paths: StatePaths, file: string): boolean {
  if (head.file === resolve(file)) return true;
  if (head.fid !== undefined) return head.fid === paths.identity(file);
  return basename(head.file) === basename(file);
}
