import { displayCommand } from '../../model/shell.js';
import { readHistory } from '../../state/history.js';
import { resolveState } from '../../state/layout.js';
import { StateStore } from '../../state/store.js';
import { Exit } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { defaultCampaignFile } from '../locate-file.js';
import { campaignOptions, jsonOption, parse, stateDirOption } from '../options.js';

export const usage = `Usage: campaign history [FILE] [--json] [--state-dir DIR]

The campaign's audit history: every run, rerun of failures (--retry-failed), forced rerun
(--force), pick-up (watch) and cancel (of a running head, or of a run without one), oldest first, with when it started, who started it and on
which host, its selection, its reason (--reason), how it ended, and its command line.

Examples:
  campaign history campaigns/batch-reassembly/campaign.toml
  campaign history --json`;

export async function history(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { ...campaignOptions, ...stateDirOption, ...jsonOption },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0] ?? defaultCampaignFile(values['state-dir']);
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const paths = resolveState(file, values['state-dir'], loaded.campaign.stateDir);
  const entries = readHistory(new StateStore(paths));
  if (values.json) {
    const iso = (ms: number) => new Date(ms).toISOString();
    const json = entries.map(({ run, action, t, ended, ...rest }) => ({
      run,
      action,
      started: iso(t),
      ...(ended !== undefined ? { ended: iso(ended) } : {}),
      ...rest,
    }));
    out(`${JSON.stringify(json, null, 2)}\n`);
    return Exit.ok;
  }
  if (entries.length === 0) {
    out('no runs yet\n');
    return Exit.ok;
  }
  const head = ['STARTED', 'RUN', 'ACTION', 'BY', 'STATUS', 'SELECTION', 'REASON', 'COMMAND'];
  const rows = entries.map((e) => [
    new Date(e.t).toISOString().replace('T', ' ').slice(0, 19),
    e.run,
    e.action,
    e.user || e.host ? `${e.user ?? '?'}@${e.host ?? '?'}` : '-',
    e.status,
    `${e.selection.length > 0 ? e.selection.join(' ') : 'all'}${e.tasks !== undefined ? ` (${e.tasks} task${e.tasks === 1 ? '' : 's'})` : ''}`,
    e.reason ?? '-',
    e.argv ? displayCommand(e.argv) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  out(`${[line(head), ...rows.map(line)].join('\n')}\n`);
  return Exit.ok;
}
