import { availableParallelism, totalmem } from 'node:os';
import type { Capacity } from '../../exec/engine.js';
import { Action, parseIndexRange, planRun } from '../../exec/select.js';
import { parseMemory } from '../../model/units.js';
import { schedulers } from '../../schedulers/index.js';
import { openCampaign } from '../context.js';
import { Exit, UsageError } from '../exit.js';
import { runHead } from '../head.js';
import { out } from '../io.js';
import { campaignOptions, oneOf, parse } from '../options.js';

export const usage = `Usage: campaign run FILE [options]

Runs the campaign: every task that is not up to date, in dependency order, on the local
machine (or the campaign's scheduler). Running it again resumes: finished work is not
repeated, a changed definition reruns the node and what depends on it.

Selection:
  --only PATTERN        only these nodes, groups or globs (repeatable)
  --from NODE           NODE and everything after it
  --until NODE          NODE and everything before it
  --index RANGE         only instances (or chunks) at these positions: 5, 10..20, 10.., ..20
  --retry-failed        only what failed, was skipped or was cancelled
  --force               rerun the selected tasks even if they are up to date
  --dry-run             list what would run and why, and stop

Execution:
  --cores N             cores to use at once (default: all)
  --memory SIZE         memory to use at once (default: 90% of RAM)
  --max-parallel N      tasks at once (default: as many as fit)
  --fail-fast           launch nothing new after the first failure
  --detach              (batch schedulers) hand the whole campaign over and exit; the
                        scheduler runs it with its own dependencies, no head needed
  --ui MODE             dashboard, plain or json (default: dashboard on a terminal)
  --state-dir DIR       where state lives (default: .campaign/<file stem> beside FILE)
  --set path=value      override a value of the campaign file (repeatable)

Exit codes: 0 all succeeded, 1 some failed or were skipped, 2 bad input,
3 another run holds the campaign, 130 interrupted.

Examples:
  campaign run campaigns/so-mapmaking/campaign.toml
  campaign run run.toml --dry-run
  campaign run run.toml --only 'ml-null-tests' --force
  campaign run run.toml --from level3 --until level4 --cores 8 --memory 64G`;

export const runOptions = {
  ...campaignOptions,
  only: { type: 'string', multiple: true },
  from: { type: 'string' },
  until: { type: 'string' },
  index: { type: 'string' },
  'retry-failed': { type: 'boolean' },
  force: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  cores: { type: 'string' },
  memory: { type: 'string' },
  'max-parallel': { type: 'string' },
  'fail-fast': { type: 'boolean' },
  detach: { type: 'boolean' },
  ui: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, runOptions, usage);
  if (values.help) {
    out(`${usage}\n`);
    return Exit.ok;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(`run needs exactly one FILE\n\n${usage}`);
  const ui =
    values.ui === undefined
      ? undefined
      : oneOf('ui', values.ui, ['dashboard', 'plain', 'json'] as const, 'plain');
  const capacity = capacityOf(values);
  const ctx = await openCampaign(file, {
    set: values.set ?? [],
    stateDir: values['state-dir'],
    create: !values['dry-run'],
    runChecks: true,
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
    out(
      dryRun(
        tasks.tasks.map((t) => t.id),
        plan,
      ),
    );
    return Exit.ok;
  }

  const schedType = loaded.campaign.scheduler.type;
  if (values.detach && !schedulers[schedType].detachable) {
    throw new UsageError(`--detach needs a batch scheduler; ${file} runs on the local machine`);
  }
  return runHead({
    ctx,
    plan,
    sched: loaded.campaign.scheduler,
    ui,
    capacity,
    failFast: values['fail-fast'] ?? false,
    detach: values.detach ?? false,
  });
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

function dryRun(
  ids: readonly string[],
  plan: { action: Uint8Array; reason: (string | undefined)[] },
): string {
  const rows: string[] = [];
  let done = 0;
  for (let v = 0; v < ids.length; v++) {
    if (plan.action[v] === Action.Run) rows.push(`  ${ids[v]}  ${plan.reason[v]}`);
    else if (plan.action[v] === Action.Done) done++;
  }
  let width = 0;
  for (const r of rows) width = Math.max(width, r.indexOf('  ', 2));
  const aligned = rows.map((r) => {
    const cut = r.indexOf('  ', 2);
    return `${r.slice(0, cut).padEnd(width)}  ${r.slice(cut + 2)}`;
  });
  const head = `would run ${rows.length} of ${rows.length + done} selected task${rows.length + done === 1 ? '' : 's'} (${done} up to date)`;
  return `${head}${rows.length > 0 ? ':' : ''}\n${aligned.map((r) => `${r}\n`).join('')}`;
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
