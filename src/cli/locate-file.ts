import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CAMPAIGN_DIR, StatePaths } from '../state/paths.js';
import { StateStore } from '../state/store.js';
import { UsageError } from './exit.js';

/** The names a campaign file has by default, in the order they are looked for. */
export const DEFAULT_FILES = ['campaign.toml', 'campaign.yaml', 'campaign.yml'] as const;

/**
 * The campaign file of a command: FILE when given, else the one `findCampaignFile` finds.
 * Every command that takes a FILE follows this one rule.
 */
export function campaignFile(given: string | undefined, stateDir?: string): string {
  if (given !== undefined) return given;
  const found = findCampaignFile(stateDir);
  if (found) return found;
  throw new UsageError(
    `give the campaign FILE: no run is recorded here to take it from, and there is no ${DEFAULT_FILES.join(', ')} here`,
  );
}

/** The campaign file a command without FILE means (see `findCampaignFile`). */
export function defaultCampaignFile(stateDir?: string): string {
  return campaignFile(undefined, stateDir);
}

/**
 * The campaign file a command without FILE means: the one recorded by the latest run in
 * `--state-dir`, or in any state directory of `./.campaign/` (one per campaign file, and the
 * layout of older versions); else `./campaign.toml` (`.yaml`, `.yml`); else the only campaign
 * file in the current folder.
 */
export function findCampaignFile(stateDir?: string): string | undefined {
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
  const named = DEFAULT_FILES.find((f) => existsSync(f));
  if (named) return named;
  const here = readdirSync(process.cwd()).filter((f) => /\.(toml|ya?ml)$/.test(f) && f !== 'biome.json');
  return here.length === 1 ? here[0] : undefined;
}

/**
 * Whether an argument names a campaign file rather than a task or node: a command whose
 * FILE is optional and comes beside another positional tells them apart this way.
 */
export function looksLikeFile(arg: string): boolean {
  return /\.(toml|ya?ml)$/.test(arg) || (arg.includes('/') && existsSync(arg));
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
