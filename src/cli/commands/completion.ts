import { type CompletionSpec, completionScript, optionsOfUsage } from '../../ui/completion.js';
import { Exit, UsageError } from '../exit.js';
import { out } from '../io.js';
import { loadOrExit } from '../load.js';
import { findCampaignFile } from '../locate-file.js';
import { helpOption, parse } from '../options.js';

export const usage = `Usage: campaign completion bash|zsh|fish
       campaign completion --ids [FILE]

Prints a shell completion script: commands, their options, and the node and task ids of the
campaign file in the current folder (for --only, --from, --until, --force, logs).

  --ids          print the node and task ids of FILE (default: the campaign of the latest
                 run here, or ./campaign.toml), one a line; the scripts call this as you type

Examples:
  eval "$(campaign completion bash)"
  campaign completion zsh > ~/.zfunc/_campaign    # with fpath+=(~/.zfunc) in ~/.zshrc
  campaign completion fish > ~/.config/fish/completions/campaign.fish`;

/** Options whose value names nodes or tasks, and commands whose argument does. */
const ID_OPTIONS = ['--only', '--from', '--until', '--force'];
const ID_COMMANDS = ['logs', 'expand'];

type Table = Readonly<Record<string, { readonly summary: string; readonly usage: string }>>;

/** `campaign completion`, given the command table to complete. */
export async function completion(argv: string[], commands: Table): Promise<number> {
  const { values, positionals } = parse(argv, { ids: { type: 'boolean' }, ...helpOption }, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (values.ids) return ids(positionals[0]);
  const shell = positionals[0];
  if ((shell !== 'bash' && shell !== 'zsh' && shell !== 'fish') || positionals.length > 1)
    throw new UsageError(`completion needs one shell: bash, zsh or fish\n\n${usage}`);
  const spec: CompletionSpec = {
    commands: Object.entries(commands).map(([name, c]) => ({
      name,
      summary: c.summary,
      options: optionsOfUsage(c.usage),
    })),
    idOptions: ID_OPTIONS,
    idCommands: ID_COMMANDS,
  };
  out(completionScript(shell, spec));
  return Exit.ok;
}

/** Node ids (groups included) and task ids of the campaign, one a line. */
async function ids(given: string | undefined): Promise<number> {
  const file = given ?? findCampaignFile();
  if (!file) return Exit.ok;
  const loaded = await loadOrExit({ file });
  const seen = new Set<string>();
  const lines: string[] = [];
  const add = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    lines.push(id);
  };
  for (const id of loaded.campaign.nodes.keys()) add(id);
  for (const t of loaded.tasks.tasks) add(t.id);
  out(lines.map((l) => `${l}\n`).join(''));
  return Exit.ok;
}
