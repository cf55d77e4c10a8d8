import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../state/journal.js';
import { StatePaths } from '../state/paths.js';
import { StateStore } from '../state/store.js';
import { UsageError } from './exit.js';

/**
 * The campaign file a command without FILE means: the one recorded by the latest run in
 * `./.campaign`, else the only campaign file in the current folder.
 */
export function defaultCampaignFile(stateDir?: string): string {
  const paths = new StatePaths(stateDir ?? join(process.cwd(), '.campaign'));
  const runs = new StateStore(paths).runIds();
  const last = runs[runs.length - 1];
  if (last) {
    const head = readJournal(paths.journal(last)).find((r) => r.k === 'run');
    if (head && head.k === 'run' && existsSync(head.file)) return head.file;
  }
  const here = readdirSync(process.cwd()).filter((f) => /\.(toml|ya?ml)$/.test(f) && f !== 'biome.json');
  if (here.length === 1) return here[0]!;
  throw new UsageError('give the campaign FILE (no run is recorded here to take it from)');
}
