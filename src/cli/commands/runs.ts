import { resolveState } from '../../state/layout.js';
import { StateStore } from '../../state/store.js';
import { formatRuns, runsJson } from '../../ui/runs.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, jsonOption, parse, stateDirOption } from '../options.js';

export const usage = `Usage: campaign runs [FILE] [--json] [--state-dir DIR]

Lists the campaign's runs (the assembly list): run id, when it started and ended, its status
(running, succeeded, failed, cancelled, interrupted) and its task counts. Without FILE, the
campaign of the latest run here, or ./campaign.toml.

Examples:
  campaign runs campaigns/so-mapmaking/campaign.toml
  campaign runs --json`;

export async function runs(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, ...jsonOption, ...stateDirOption },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`runs takes at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[0], values['state-dir']);
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const paths = resolveState(file, values['state-dir'], loaded.campaign.stateDir);
  const list = new StateStore(paths).runs();
  out(values.json ? runsJson(list) : formatRuns(list));
  return Exit.ok;
}
