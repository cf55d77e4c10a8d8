import type { LocatedDiagnostic } from '../../config/diagnostic.js';
import { loadCampaign } from '../../model/load.js';
import { diagnosticsJson, formatDiagnostics } from '../../ui/diagnostics.js';
import { Exit, UsageError } from '../exit.js';
import { err, out } from '../io.js';
import { campaignOptions, oneOf, parse } from '../options.js';

export const usage = `Usage: campaign validate FILE... [--set path=value]... [--format text|json]

Checks campaign files: syntax, schema, variables, dependencies, cycles and resource
requests against the budget. Prints every problem at once, or one OK line per file.

Examples:
  campaign validate campaigns/so-mapmaking.toml
  campaign validate a.toml b.yaml --format json
  campaign validate run.toml --set vars.nsplits=16`;

export async function validate(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...campaignOptions, format: { type: 'string' } }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const format = oneOf('format', values.format, ['text', 'json'] as const, 'text');
  if (positionals.length === 0) throw new UsageError(`validate needs at least one FILE\n\n${usage}`);
  let failed = false;
  const json: unknown[] = [];
  for (const file of positionals) {
    const r = await loadCampaign(file, { overrides: values.set ?? [] });
    if (!r.ok && r.fatal) {
      failed = true;
      if (format === 'json')
        json.push({
          file,
          ok: false,
          errors: 1,
          warnings: 0,
          diagnostics: [{ severity: 'error', code: 'unreadable', message: r.fatal }],
        });
      else err(`${r.fatal}\n`);
      continue;
    }
    const ds: readonly LocatedDiagnostic[] = r.ok ? r.value.diagnostics : r.diagnostics;
    if (format === 'json') {
      const body = JSON.parse(diagnosticsJson(ds)) as Record<string, unknown>;
      const counts = r.ok ? { nodes: r.value.graph.tasks.length, edges: r.value.graph.dag.edgeCount } : {};
      json.push({ file, ...body, ...counts });
    } else {
      if (ds.length > 0) err(formatDiagnostics(ds));
      if (r.ok) {
        const groups = [...r.value.campaign.nodes.values()].filter((n) => n.kind === 'group').length;
        out(
          `${file}: ok (${plural(r.value.graph.tasks.length, 'node')}, ${plural(groups, 'group')}, ${plural(r.value.graph.dag.edgeCount, 'edge')})\n`,
        );
      }
    }
    if (!r.ok) failed = true;
  }
  if (format === 'json') out(`${JSON.stringify(positionals.length === 1 ? json[0] : json, null, 2)}\n`);
  return failed ? Exit.usage : Exit.ok;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
