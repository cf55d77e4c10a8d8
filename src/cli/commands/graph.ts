import { exportGraph } from '../../ui/graph-export.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignOptions, oneOf, parse } from '../options.js';

export const usage = `Usage: campaign graph FILE [--format dot|mermaid|json] [--all] [--set path=value]...

Prints the dependency graph: Graphviz dot (default), a Mermaid flowchart, or JSON. A fanned-out
node is one vertex with its counts; --all draws every task and task edge (and adds "tasks" and
"task_edges" to the JSON).

Examples:
  campaign graph campaigns/so-mapmaking.toml | dot -Tsvg > dag.svg
  campaign graph run.toml --format mermaid
  campaign graph run.toml --format json | jq '.edges | length'
  campaign graph run.toml --format json --all | jq '.task_edges | length'`;

export async function graph(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, format: { type: 'string' }, all: { type: 'boolean' } },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`graph needs exactly one FILE\n\n${usage}`);
  const format = oneOf('format', values.format, ['dot', 'mermaid', 'json'] as const, 'dot');
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const fan = { tasks: loaded.tasks, pairing: loaded.pairing, all: values.all ?? false };
  out(exportGraph(loaded.campaign, loaded.graph, format, fan));
  return Exit.ok;
}
