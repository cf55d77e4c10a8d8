import { exportGraph } from '../../ui/graph-export.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignOptions, oneOf, parse } from '../options.js';

export const usage = `Usage: campaign graph FILE [--format dot|mermaid|json] [--set path=value]...

Prints the dependency graph: Graphviz dot (default), a Mermaid flowchart, or JSON.

Examples:
  campaign graph campaigns/so-mapmaking.toml | dot -Tsvg > dag.svg
  campaign graph run.toml --format mermaid
  campaign graph run.toml --format json | jq '.edges | length'`;

export function graph(argv: string[]): number {
  const { values, positionals } = parse(argv, { ...campaignOptions, format: { type: 'string' } }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`graph needs exactly one FILE\n\n${usage}`);
  const format = oneOf('format', values.format, ['dot', 'mermaid', 'json'] as const, 'dot');
  const loaded = loadOrExit({ file, set: values.set ?? [] });
  out(exportGraph(loaded.campaign, loaded.graph, format));
  return Exit.ok;
}
