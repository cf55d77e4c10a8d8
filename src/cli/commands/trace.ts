import { formatTrace, TRACE_FORMATS, traceRows } from '../../ui/trace.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { campaignOptions, formatOf, formatOption, parse, runOption, stateDirOption } from '../options.js';
import { loadReportData } from './report.js';

export const usage = `Usage: campaign trace [FILE] [--run RUN] [--format tsv|csv|json] [--json] [--all-runs] [--state-dir DIR]

Prints one row per attempt of a run (the latest, or RUN): task, node, instance, attempt, state,
failure kind, exit code, job id, host, submit/start/end times, queue wait, wall and CPU time,
peak memory, and what the attempt requested. The columns are listed in docs/cli.md. Without
FILE, the campaign of the latest run here, or ./campaign.toml.

  --run RUN       that run (an id from 'campaign runs', or its end: run002)
  --format F      tsv (default), csv (RFC 4180) or json
  --json          the same as --format json
  --all-runs      every run up to RUN

Examples:
  campaign trace > trace.tsv
  campaign trace campaigns/so-mapmaking/campaign.toml --format csv > trace.csv
  campaign trace --json | jq '.[] | select(.state == "failed")'`;

export async function trace(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...campaignOptions,
      ...runOption,
      ...formatOption,
      ...stateDirOption,
      'all-runs': { type: 'boolean' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`trace takes at most one FILE\n\n${usage}`);
  const format = formatOf(values, TRACE_FORMATS, 'tsv');
  const data = await loadReportData(positionals[0], values);
  out(formatTrace(traceRows(data), format));
  return Exit.ok;
}
