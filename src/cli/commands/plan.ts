import { formatPlan } from '../../ui/plan.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignOptions, parse } from '../options.js';

export const usage = `Usage: campaign plan FILE [--all] [--set path=value]...

Shows the campaign as a tree: groups, nodes, resolved dependencies, resolved commands and
resources, then a summary (nodes, edges, roots, leaves, critical path by declared runtime).
Fanned-out nodes show their instance and task counts and the first and last instance; --all
lists every instance (with its command) or chunk (with its items).

Examples:
  campaign plan campaigns/so-mapmaking.toml
  campaign plan run.toml --set ml-mapmaking.resources.memory=256G
  campaign plan campaigns/weppcloud-batch/campaign.toml --all`;

export async function plan(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...campaignOptions, all: { type: 'boolean' } }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`plan needs exactly one FILE\n\n${usage}`);
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  out(
    formatPlan(loaded.campaign, loaded.graph, {
      tasks: loaded.tasks,
      pairing: loaded.pairing,
      all: values.all ?? false,
    }),
  );
  return Exit.ok;
}
