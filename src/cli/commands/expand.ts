import picomatch from 'picomatch';
import type { ExpansionReport } from '../../model/expand/index.js';
import { loadCampaign } from '../../model/load.js';
import {
  type ExpansionView,
  writeAssignmentsCsv,
  writeExpansionJson,
  writeExpansionText,
} from '../../ui/expansion.js';
import { Exit, UsageError } from '../exit.js';
import { chunked, err, out } from '../io.js';
import { printDiagnostics } from '../load.js';
import { campaignFile, looksLikeFile } from '../locate-file.js';
import { campaignOptions, formatOf, formatOption, parse } from '../options.js';

export const usage = `Usage: campaign expand [FILE] [NODE] [--format text|json|csv] [--json] [--set path=value]...

Expands the fan-outs (matrix, zip, foreach, workflow types) and shows every instance with its
id and values, the items rejected and why (a missing value, an unsafe or duplicate id), the
items skip_complete leaves out, and the counts of instances and tasks. NODE (a path or glob)
limits it to the fan-outs of that node or group. Exit 2 when an item is rejected. Without
FILE, the campaign of the latest run here, or ./campaign.toml. --json is --format json.
--format csv lists the task assignments: one row per task and item (task_id, task_index,
item, then one column per value), only the tasks a run would make.

Examples:
  campaign expand campaigns/weppcloud-batch/campaign.toml
  campaign expand campaigns/tc-risk/campaign.toml level4 --set vars.draws=0..9
  campaign expand campaigns/weppcloud-batch/campaign.toml --json | jq '.fanouts[].rejected'
  campaign expand campaigns/tc-risk/campaign.toml level4 --format csv > level_4_task_assignments.csv`;

export async function expand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...campaignOptions, ...formatOption }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 2) throw new UsageError(`expand takes a FILE and a NODE, no more\n\n${usage}`);
  // With one argument, it is FILE if it names one, else NODE of the campaign found here.
  const given = positionals.length === 2 || (positionals[0] !== undefined && looksLikeFile(positionals[0]));
  const file = campaignFile(given ? positionals[0] : undefined);
  const node = given ? positionals[1] : positionals[0];
  const format = formatOf(values, ['text', 'json', 'csv'] as const, 'text');
  let report: ExpansionReport | undefined;
  const r = await loadCampaign(file, { overrides: values.set ?? [], onExpansion: (x) => (report = x) });
  if (!r.ok && r.fatal) throw new UsageError(r.fatal);
  const diagnostics = r.ok ? r.value.diagnostics : r.diagnostics;
  if (!report) {
    // The campaign failed before expansion (syntax, schema, dependencies): nothing to show.
    printDiagnostics(diagnostics, { file, format: format === 'json' ? 'json' : 'text' });
    throw new UsageError('', Exit.usage);
  }
  const chosen = select(report, node);
  if (chosen.scopes.length === 0) {
    throw new UsageError(node ? `no fan-out matches '${node}'` : `${file} has no fan-out`);
  }
  if (format === 'csv' && !r.ok) {
    // Rejected items make no tasks: there is nothing to assign.
    printDiagnostics(diagnostics, { file });
    throw new UsageError('', Exit.usage);
  }
  const w = chunked(out);
  if (format === 'csv' && r.ok) writeAssignmentsCsv(chosen, r.value.tasks.tasks, w.write);
  else if (format === 'json') writeExpansionJson(chosen, w.write);
  else writeExpansionText(chosen, w.write);
  w.flush();
  if (format === 'text' && diagnostics.length > 0) err('\n');
  if (format === 'text' && diagnostics.length > 0) printDiagnostics(diagnostics, { file });
  return r.ok ? Exit.ok : Exit.usage;
}

/** The fan-outs of the node or group NODE names (a path or glob), or all of them. */
function select(report: ExpansionReport, pattern: string | undefined): ExpansionView {
  if (!pattern) return { scopes: report.scopes, nodes: report.nodes };
  const glob = picomatch(pattern, { dot: true });
  const hits = (id: string) => glob(id) || id.startsWith(`${pattern}.`);
  const scopes = report.scopes.filter((s) => hits(s.table.id) || pattern.startsWith(`${s.table.id}.`));
  const nodes = report.nodes.filter(
    (nt) => hits(nt.node.id) || scopes.some((s) => nt.node.id.startsWith(`${s.table.id}.`)),
  );
  return { scopes, nodes };
}
