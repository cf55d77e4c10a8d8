import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveState } from '../../state/layout.js';
import { type ReportData, reportData } from '../../ui/report/data.js';
import { renderReport } from '../../ui/report/render.js';
import { Exit, IoFailure, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignFile } from '../locate-file.js';
import { campaignOptions, jsonOption, parse, runOption, stateDirOption } from '../options.js';

export const usage = `Usage: campaign report [FILE] [--run RUN] [--out report.html] [--all-runs] [--json] [--state-dir DIR]

Writes one self-contained HTML page about a run (the latest, or RUN): a summary (who, where,
when, how it ended, core-hours and GB-hours used against requested), a timeline of every
task (queue wait, run time, retries, the critical path), resource use per node and group
against the requests with right-size suggestions, retry chains, the DAG of subcampaigns, a
comparison with the previous run, and failures with the tail of their stderr. The page loads
nothing from anywhere and reads without JavaScript. Without FILE, the campaign of the latest
run here, or ./campaign.toml.

  --run RUN      that run (an id from 'campaign runs', or its end: run002)
  --out FILE     where to write the page (default report.html; - for standard output)
  --all-runs     cover every run up to RUN: each run's timeline, resources over all of them
  --json         say what was written as JSON: { "run", "status", "path", "bytes" }

Examples:
  campaign report
  campaign report campaigns/so-mapmaking/campaign.toml --out so-mapmaking.html
  campaign report --run run001 --all-runs --json`;

export async function report(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...campaignOptions,
      ...runOption,
      ...jsonOption,
      ...stateDirOption,
      out: { type: 'string', short: 'o' },
      'all-runs': { type: 'boolean' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`report takes at most one FILE\n\n${usage}`);
  const data = await loadReportData(positionals[0], values);
  const html = renderReport(data);
  const dest = values.out ?? 'report.html';
  if (dest === '-') {
    out(html);
    return Exit.ok;
  }
  try {
    writeFileSync(dest, html);
  } catch (e) {
    throw IoFailure.of('write', dest, e);
  }
  const run = data.runs[data.runs.length - 1]!;
  const bytes = Buffer.byteLength(html);
  out(
    values.json
      ? `${JSON.stringify({ run: run.id, status: run.status, path: resolve(dest), bytes })}\n`
      : `report of run ${run.id} (${run.status}): ${resolve(dest)} (${kib(html.length)})\n`,
  );
  return Exit.ok;
}

/**
 * The model of a report or a trace: the campaign file (or the one of the latest run here),
 * loaded, and its state directory read. The recorded state is not replayed as
 * `openCampaign` does: the report reads the journals itself.
 */
export async function loadReportData(
  given: string | undefined,
  values: { set?: string[]; 'state-dir'?: string; run?: string; 'all-runs'?: boolean },
): Promise<ReportData> {
  const file = campaignFile(given, values['state-dir']);
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const paths = resolveState(file, values['state-dir'], loaded.campaign.stateDir);
  const built = reportData(
    { file, loaded, paths },
    { ...(values.run !== undefined ? { run: values.run } : {}), allRuns: values['all-runs'] ?? false },
  );
  if (!built.ok) throw new UsageError(built.message);
  return built.data;
}

function kib(chars: number): string {
  return chars >= 1024 * 1024
    ? `${(chars / (1024 * 1024)).toFixed(1)} MiB`
    : `${Math.ceil(chars / 1024)} KiB`;
}
