import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CAMPAIGN_DIR, StatePaths } from '../state/paths.js';
import { StateStore } from '../state/store.js';
import { UsageError } from './exit.js';

/**
 * The campaign file a command without FILE means: the one recorded by the latest run in
 * `--state-dir`, or in any state directory of `./.campaign/` (one per campaign file, and the
 * layout of older versions), else the only campaign file in the current folder.
 */
export function defaultCampaignFile(stateDir?: string): string {
  const base = join(process.cwd(), CAMPAIGN_DIR);
  const roots = stateDir ? [stateDir] : [base, ...subdirs(base)];
  let latest: { t: number; file: string } | undefined;
  for (const root of roots) {
    const store = new StateStore(new StatePaths(root));
    const runs = store.runIds();
    const last = runs[runs.length - 1];
    const head = last ? store.header(last) : undefined;
    if (head && existsSync(head.file) && (!latest || head.t > latest.t))
      latest = { t: head.t, file: head.file };
  }
  if (latest) return latest.file;
  const here = readdirSync(process.cwd()).filter((f) => /\.(toml|ya?ml)$/.test(f) && f !== 'biome.json');
  if (here.length === 1) return here[0]!;
  throw new UsageError('give the campaign FILE (no run is recorded here to take it from)');
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'runs')
      .map((d) => join(dir, d.name));
  } catch {
    return [];
  }
}
