import { resolve } from 'node:path';
import {
  assemble,
  assemblerFor,
  CollectProblem,
  FORMATS,
  type Format,
  formatOfFile,
  type RunChoice,
  Sink,
  selectPieces,
} from '../../collect/index.js';
import { nearest } from '../../config/suggest.js';
import { readJournal } from '../../state/journal.js';
import { resolveState } from '../../state/layout.js';
import { StateStore } from '../../state/store.js';
import { Exit, IoFailure, UsageError } from '../exit.js';
import { err, out } from '../io.js';
import { loadOrExit } from '../load.js';
import { campaignOptions, oneOf, parse, stateDirOption } from '../options.js';

export const usage = `Usage: campaign collect FILE NODE [options] [-- COMMAND ARG...]

Re-assembles the outputs of NODE from every completed run into one dataset, one file after
the other, in run order, each row tagged with its run id as the first column (CSV, TSV) or
field (JSON Lines, JSON): \`run\`. NODE's outputs must name their run: \`{run}\`.

Options:
  --out PATH            write the dataset here (default: stdout); PATH appears only once
                        it is complete
  --runs WHICH          succeeded (default): the runs that succeeded; all: every run in
                        which NODE succeeded; or run ids (repeatable, or comma-separated;
                        \`run003\` is enough)
  --format F            csv, tsv, jsonl, json (default: from the files' extension), or cmd:
                        COMMAND after \`--\` runs once per file, in run order, with the file
                        as its last argument and CAMPAIGN_RUN_ID set; its output is appended
  --storage local       where the files are (local: the filesystem)
  --state-dir DIR       where state lives (default: .campaign/<file stem> beside FILE)
  --set path=value      override a value of the campaign file (repeatable)

Runs that did not succeed are left out, each said on stderr.

Exit codes: 0 assembled, 1 a run's files are missing or COMMAND failed, 2 bad input (the
files do not fit together: headers differ, a record is not an object; a bad option).

Examples:
  campaign collect campaigns/batch-reassembly/campaign.toml parameter-distortion --out all.csv
  campaign collect campaigns/batch-reassembly/campaign.toml expression-noise --runs run001 --format jsonl
  campaign collect campaigns/batch-reassembly/campaign.toml parameter-distortion --format cmd -- wc -l`;

export async function collect(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  const { values, positionals } = parse(
    dash >= 0 ? argv.slice(0, dash) : argv,
    {
      ...campaignOptions,
      ...stateDirOption,
      out: { type: 'string', short: 'o' },
      runs: { type: 'string', multiple: true },
      format: { type: 'string' },
      storage: { type: 'string' },
    },
    usage,
  );
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const [file, nodeId] = positionals;
  if (!file || !nodeId || positionals.length > 2)
    throw new UsageError(`collect needs a FILE and a NODE\n\n${usage}`);
  oneOf('storage', values.storage, ['local'] as const, 'local');
  let format = values.format === undefined ? undefined : oneOf('format', values.format, FORMATS, 'csv');
  if (format === 'cmd' && command.length === 0)
    throw new UsageError(
      '--format cmd needs the command after `--`: collect FILE NODE --format cmd -- prog ARG...',
    );
  if (format !== 'cmd' && command.length > 0)
    throw new UsageError('a command after `--` is for --format cmd');
  const choice = runChoice(values.runs ?? []);

  const loaded = await loadOrExit({ file, set: values.set ?? [] });
  const nt = loaded.tasks.nodes.find((n) => n.node.id === nodeId);
  if (!nt) {
    const near = nearest(
      nodeId,
      loaded.tasks.nodes.map((n) => n.node.id),
    );
    throw new UsageError(
      `\`${nodeId}\` is not a node of ${file} that runs${near ? `; did you mean \`${near}\`?` : ''}`,
    );
  }
  const tasks = loaded.tasks.tasks.slice(nt.first, nt.first + nt.count);
  const paths = resolveState(file, values['state-dir'], loaded.campaign.stateDir);
  const store = new StateStore(paths);
  const sink = values.out ? openOut(values.out) : Sink.stdout();
  try {
    const selection = selectPieces(
      nodeId,
      tasks,
      { runs: store.runs(), journal: (id) => readJournal(paths.journal(id)) },
      choice,
      process.cwd(),
    );
    for (const note of selection.notes) err(`collect: ${note}\n`);
    if (format === undefined) format = detect(selection.pieces.map((p) => p.shown));
    assemble(selection.pieces, assemblerFor(format, command), sink);
    sink.commit();
    const runs = new Set(selection.pieces.map((p) => p.run)).size;
    err(
      `collect: ${runs} run${runs === 1 ? '' : 's'}, ${selection.pieces.length} file${selection.pieces.length === 1 ? '' : 's'}${values.out ? ` -> ${values.out}` : ''}\n`,
    );
    return Exit.ok;
  } catch (e) {
    sink.abandon();
    if (e instanceof CollectProblem) {
      err(e.format());
      return e.exit;
    }
    throw e;
  }
}

function runChoice(given: readonly string[]): RunChoice {
  const names = given
    .flatMap((g) => g.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0 || (names.length === 1 && names[0] === 'succeeded')) return { kind: 'succeeded' };
  if (names.length === 1 && names[0] === 'all') return { kind: 'all' };
  if (names.includes('all') || names.includes('succeeded'))
    throw new UsageError('--runs takes `succeeded`, `all`, or run ids, not a mix');
  return { kind: 'listed', runs: names };
}

/** The files' format from their extension; they must all agree. */
function detect(files: readonly string[]): Format {
  let found: Format | undefined;
  for (const f of files) {
    const fmt = formatOfFile(f);
    if (!fmt)
      throw new UsageError(
        `cannot tell the format of ${f} from its name: give --format csv|tsv|jsonl|json, or --format cmd -- COMMAND`,
      );
    if (found && fmt !== found)
      throw new UsageError(`the files are of different formats (${found}, ${fmt}: ${f}); give --format`);
    found = fmt;
  }
  return found ?? 'csv';
}

function openOut(path: string): Sink {
  try {
    return Sink.file(resolve(path));
  } catch (e) {
    throw IoFailure.of('write', path, e);
  }
}
