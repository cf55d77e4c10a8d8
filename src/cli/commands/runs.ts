import { resolveState } from '../../state/layout.js';
import { StateStore } from '../../state/store.js';
import { Exit } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { defaultCampaignFile } from '../locate-file.js';
import { parse } from '../options.js';

export const usage = `Usage: campaign runs [FILE] [--json] [--state-dir DIR]

Lists the campaign's runs (the assembly list): run id, when it started and ended, its status
(running, succeeded, failed, cancelled, interrupted) and its task counts.

Examples:
  campaign runs campaigns/so-mapmaking/campaign.toml
  campaign runs --json`;

export async function runs(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
      'state-dir': { type: 'string' },
      set: { type: 'string', multiple: true },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0] ?? defaultCampaignFile(values['state-dir']);
  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const paths = resolveState(file, values['state-dir'], loaded.campaign.stateDir);
  const list = new StateStore(paths).runs();
  if (values.json) {
    out(`${JSON.stringify(list, null, 2)}\n`);
    return Exit.ok;
  }
  if (list.length === 0) {
    out('no runs yet\n');
    return Exit.ok;
  }
  const rows = list.map((r) => [
    r.id,
    iso(r.started),
    r.ended ? iso(r.ended) : '-',
    r.status,
    r.counts
      ? Object.entries(r.counts)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ')
      : '-',
  ]);
  const head = ['RUN', 'STARTED', 'ENDED', 'STATUS', 'TASKS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  out(`${[line(head), ...rows.map(line)].join('\n')}\n`);
  return Exit.ok;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
