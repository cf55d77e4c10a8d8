import { exportGraph } from '../../ui/graph-export.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, formatOf, formatOption, parse } from '../options.js';

export const usage = `Usage: campaign graph [FILE] [--format dot|mermaid|json] [--json] [--all] [--set path=value]...

Prints the dependency graph: Graphviz dot (default), a Mermaid flowchart, or JSON. A fanned-out
node is one vertex with its counts; --all draws every task and task edge (and adds "tasks" and
"task_edges" to the JSON). --json is --format json. Without FILE, the campaign of the latest
run here, or ./campaign.toml.

Examples:
  campaign graph campaigns/so-mapmaking/campaign.toml | dot -Tsvg > dag.svg
  campaign graph campaigns/weppcloud-batch/campaign.toml --format mermaid
  campaign graph campaigns/tc-risk/campaign.toml --json | jq '.edges | length'
  campaign graph campaigns/tc-risk/campaign.toml --json --all | jq '.task_edges | length'`;

export async function graph(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, ...formatOption, all: { type: 'boolean' } },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`graph takes at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[0]);
  const format = formatOf(values, ['dot', 'mermaid', 'json'] as const, 'dot');
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const fan = { tasks: loaded.tasks, pairing: loaded.pairing, all: values.all ?? false };
  out(exportGraph(loaded.campaign, loaded.graph, format, fan));
  return Exit.ok;
}
