import { formatPlan } from '../../ui/plan.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignOptions, parse } from '../options.js';

export const usage = `Usage: campaign plan FILE [--set path=value]...

Shows the campaign as a tree: groups, nodes, resolved dependencies, resolved commands and
resources, then a summary (nodes, edges, roots, leaves, critical path by declared runtime).

Examples:
  campaign plan campaigns/so-mapmaking.toml
  campaign plan run.toml --set ml-mapmaking.resources.memory=256G`;

export function plan(argv: string[]): number {
  const { values, positionals } = parse(argv, campaignOptions, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`plan needs exactly one FILE\n\n${usage}`);
  const loaded = loadOrExit({ file, set: values.set ?? [] });
  out(formatPlan(loaded.campaign, loaded.graph));
  return Exit.ok;
}
