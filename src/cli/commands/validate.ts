import type { LocatedDiagnostic } from '../../config/diagnostic.js';
import { loadCampaign, sortDiagnostics } from '../../model/load.js';
import { schedulers } from '../../schedulers/index.js';
import { formatDiagnostics } from '../../ui/diagnostics.js';
import { unreadableEntry, validationEntry, validationJson, validLine } from '../../ui/validation.js';
import { Exit } from '../exit.js';
import { err, out } from '../io.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, formatOf, formatOption, parse } from '../options.js';
import { planCampaign } from '../planner.js';

export const usage = `Usage: campaign validate [FILE]... [--set path=value]... [--format text|json] [--json]

Checks campaign files: syntax, schema, variables, dependencies, cycles and resource
requests against the budget. Prints every problem at once, or one OK line per file.
Without FILE, the campaign of the latest run here, or ./campaign.toml. --json is
--format json.

Examples:
  campaign validate campaigns/so-mapmaking/campaign.toml
  campaign validate campaigns/tc-risk/campaign.toml campaigns/rg-taskfarm/campaign.toml --json
  campaign validate campaigns/rg-taskfarm/campaign.toml --set vars.samples=500`;

export async function validate(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...campaignOptions, ...formatOption }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const format = formatOf(values, ['text', 'json'] as const, 'text');
  const files = positionals.length > 0 ? positionals : [campaignFile(undefined)];
  let failed = false;
  const json: unknown[] = [];
  for (const file of files) {
    const r = await loadCampaign(file, { overrides: values.set ?? [] });
    if (!r.ok && r.fatal) {
      failed = true;
      if (format === 'json') json.push(unreadableEntry(file, r.fatal));
      else err(`${r.fatal}\n`);
      continue;
    }
    let ds: readonly LocatedDiagnostic[] = r.ok ? r.value.diagnostics : r.diagnostics;
    let ok = r.ok;
    // With a cluster description: that it reads, and that every node fits a partition.
    if (r.ok && r.value.campaign.cluster) {
      const type = r.value.campaign.scheduler.type;
      const planned = planCampaign(r.value, file, {
        now: Date.now(),
        noCluster: schedulers[type].placesIn === undefined,
      });
      if (planned.problems.length > 0) {
        ds = sortDiagnostics([...ds, ...planned.problems]);
        ok = !planned.problems.some((d) => d.severity === 'error');
      }
    }
    if (format === 'json') json.push(validationEntry(file, ds, ok && r.ok ? r.value : undefined));
    else {
      if (ds.length > 0) err(formatDiagnostics(ds));
      if (ok && r.ok) out(validLine(file, r.value));
    }
    if (!ok) failed = true;
  }
  if (format === 'json') out(validationJson(json));
  return failed ? Exit.usage : Exit.ok;
}
