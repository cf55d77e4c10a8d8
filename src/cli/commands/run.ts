import { availableParallelism, totalmem } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import type { Capacity } from '../../exec/engine.js';
import { parseIndexRange, planRun } from '../../exec/select.js';
import { parseMemory } from '../../model/units.js';
import { schedulers } from '../../schedulers/index.js';
import { dryRunJson, formatDryRun } from '../../ui/dry-run.js';
import { openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { runHead } from '../head.js';
import { err, out } from '../io.js';
import { campaignFile } from '../locate-file.js';
import {
  campaignOptions,
  jsonOption,
  parse,
  selectionOptions,
  stateDirOption,
  uiOf,
  uiOption,
} from '../options.js';
import { requestCaps, runGraph } from '../planner.js';

export const usage = `Usage: campaign run [FILE] [options]

Runs the campaign: every task that is not up to date, in dependency order, on the local
machine (or the campaign's scheduler). Running it again resumes: finished work is not
repeated, a changed definition reruns the node and what depends on it. Without FILE, the
campaign of the latest run here, or ./campaign.toml (.yaml, .yml).

Selection:
  --only PATTERN        only these nodes, groups or globs (repeatable)
  --from NODE           NODE and everything after it
  --until NODE          NODE and everything before it
  --index RANGE         only instances (or chunks) at these positions: 5, 10..20, 10.., ..20
  --retry-failed        only what failed, was skipped or was cancelled
  --force               rerun the selected tasks even if they are up to date
  --dry-run             list what would run and why, and stop (--json: as JSON)
  --clean-invalid       delete the outputs of skip_complete items whose check fails, so
                        that they run again from nothing (each is listed on stderr)

Execution:
  --cores N             cores to use at once (default: all)
  --memory SIZE         memory to use at once (default: 90% of RAM)
  --max-parallel N      tasks at once (default: as many as fit)
  --fail-fast           launch nothing new after the first failure
  --apply-history       request what earlier runs used (campaign plan --right-size shows
                        it); a node with too few samples keeps its request (history = "apply")
  --detach              (batch schedulers) hand the whole campaign over and exit; the
                        scheduler runs it with its own dependencies, no head needed
  --reason TEXT         why this run is made, kept with it (campaign history, campaign runs)
  --ui MODE             dashboard, plain or json (default: dashboard on a terminal)
  --json                the same as --ui json: one JSON event a line
  --state-dir DIR       where state lives (default: .campaign/<file stem> beside FILE)
  --set path=value      override a value of the campaign file (repeatable)

Exit codes: 0 all succeeded, 1 some failed or were skipped, 2 bad input,
3 another run holds the campaign, 130 interrupted.

Examples:
  campaign run campaigns/so-mapmaking/campaign.toml
  campaign run campaigns/tc-risk/campaign.toml --dry-run
  campaign run campaigns/so-mapmaking/campaign.toml --only ml-null-tests --force
  campaign run campaigns/tc-risk/campaign.toml --until level2 --cores 2 --memory 4G
  campaign run campaigns/batch-reassembly/campaign.toml --force --reason 'new detector calibration'
  campaign run campaigns/weppcloud-batch/campaign.toml --only 'wepp[lochsa-*]' --dry-run --json`;

export const runOptions = {
  ...campaignOptions,
  ...selectionOptions,
  ...stateDirOption,
  ...uiOption,
  ...jsonOption,
  'dry-run': { type: 'boolean' },
  'clean-invalid': { type: 'boolean' },
  cores: { type: 'string' },
  memory: { type: 'string' },
  'max-parallel': { type: 'string' },
  'fail-fast': { type: 'boolean' },
  detach: { type: 'boolean' },
  'apply-history': { type: 'boolean' },
  reason: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, runOptions, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  if (positionals.length > 1) throw new UsageError(`run takes at most one FILE\n\n${usage}`);
  const file = campaignFile(positionals[0], values['state-dir']);
  if (values.json && values.ui !== undefined && values.ui !== 'json')
    throw new UsageError(`--json and --ui ${values.ui} ask for different outputs: give one`);
  const ui = values.json ? 'json' : uiOf(values.ui);
  const capacity = capacityOf(values);
  if (values['clean-invalid'] && values['dry-run'])
    throw new UsageError('--clean-invalid deletes files and --dry-run changes nothing: give one');
  const ctx = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
    create: !values['dry-run'],
    runChecks: true,
    ...(values['clean-invalid'] ? { removed: removedNote(dirname(resolve(file))) } : {}),
  });
  const { loaded, tasks, store } = ctx;
  let index: { from: number; to: number } | undefined;
  if (values.index !== undefined) {
    const parsed = parseIndexRange(values.index);
    if (typeof parsed === 'string') throw new UsageError(parsed);
    index = parsed;
  }
  const selected = planRun(tasks, store, {
    ...(index ? { index } : {}),
    ...(values.only ? { only: values.only } : {}),
    ...(values.from ? { from: values.from } : {}),
    ...(values.until ? { until: values.until } : {}),
    force: values.force ?? false,
    retryFailed: values['retry-failed'] ?? false,
  });
  if (!selected.ok) throw new UsageError(selected.message);
  const { plan } = selected;

  if (values['dry-run']) {
    const ids = tasks.tasks.map((t) => t.id);
    out(values.json ? dryRunJson(ids, plan) : formatDryRun(ids, plan));
    return Exit.ok;
  }

  const schedType = loaded.campaign.scheduler.type;
  if (values.detach && !schedulers[schedType].detachable) {
    throw new UsageError(`--detach needs a batch scheduler; ${file} runs on the local machine`);
  }
  // Every request from the planner; a cluster, partition or deadline problem stops here.
  const planned = runGraph(ctx, values['apply-history'] ?? loaded.campaign.history === 'apply');
  const requestCap = requestCaps(ctx);
  return runHead({
    ctx: planned === tasks ? ctx : { ...ctx, tasks: planned },
    plan,
    sched: loaded.campaign.scheduler,
    ui,
    capacity,
    failFast: values['fail-fast'] ?? false,
    detach: values.detach ?? false,
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    ...(requestCap ? { requestCap } : {}),
  });
}

/** `--clean-invalid`: one line on stderr per item whose outputs failed their check and were deleted. */
function removedNote(dir: string): (task: string, files: readonly string[]) => void {
  return (task, files) =>
    err(`removed invalid ${task}: ${files.map((f) => relative(dir, f) || '.').join(' ')}\n`);
}

/** What the machine lets a run use at once: `--cores`, `--memory`, `--max-parallel` or all of it. */
export function capacityOf(values: {
  cores?: string | undefined;
  memory?: string | undefined;
  'max-parallel'?: string | undefined;
}): Capacity {
  return {
    cores: positiveInt('cores', values.cores) ?? availableParallelism(),
    memory:
      values.memory !== undefined
        ? memoryOption(values.memory)
        : Math.floor((totalmem() / 1024 / 1024) * 0.9),
    maxParallel: positiveInt('max-parallel', values['max-parallel']) ?? Number.POSITIVE_INFINITY,
  };
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, not ${JSON.stringify(v)}`);
  return n;
}

function memoryOption(v: string): number {
  const m = parseMemory(v);
  if (m === undefined)
    throw new UsageError(`--memory must be a size with a unit such as 8G, not ${JSON.stringify(v)}`);
  return m;
}
