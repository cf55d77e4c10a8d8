import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClusterGate, clusterGate } from './helpers.js';

// The Grid Engine commands need these; CI exports them, a shell may not have.
process.env.SGE_ROOT ??= '/var/lib/gridengine';
process.env.SGE_CELL ??= 'default';

/** One real batch scheduler as the scheduler suite sees it: what differs, and nothing else. */
export interface BatchCluster {
  readonly type: 'slurm' | 'sge';
  readonly gate: ClusterGate;
  /** Lines of `[campaign.scheduler]` besides `type`. */
  readonly options: string;
  /** A job id of an array task with this index, as status shows it (`123_2`, `123.3`). */
  readonly arrayTask: (item: number) => RegExp;
  /** Jobs (pending or running; array tasks one each) whose name starts with `prefix`. */
  readonly liveJobs: (prefix: string) => string[];
  /** Cancels jobs from outside the program (`scancel`, `qdel`). */
  readonly kill: (ids: readonly string[]) => void;
  /** The command that lists the queue, which the adapter calls once a poll. */
  readonly queueCommand: string;
  /** Whether a call of the queue command (its arguments) answers for all these jobs at once. */
  readonly wholeQueue: (args: readonly string[], jobs: readonly string[]) => boolean;
}

const slurmJobs = (prefix: string) =>
  spawnSync('squeue', ['-h', '-r', '-O', 'JobArrayID:|,Name:|'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f[1]?.startsWith(prefix))
    .map((f) => f[0]!.trim());

/** Array tasks one per entry (`123.4`): qstat folds pending ones into a range. */
function sgeJobs(prefix: string): string[] {
  const r = spawnSync('qstat', ['-xml', '-u', '*'], { encoding: 'utf8' });
  const out: string[] = [];
  for (const m of r.stdout.matchAll(/<job_list\b[^>]*>([\s\S]*?)<\/job_list>/g)) {
    const name = /<JB_name>([^<]*)<\/JB_name>/.exec(m[1]!)?.[1] ?? '';
    const id = /<JB_job_number>(\d+)<\/JB_job_number>/.exec(m[1]!)?.[1];
    if (!id || !name.startsWith(prefix)) continue;
    const tasks = /<tasks>([^<]*)<\/tasks>/.exec(m[1]!)?.[1];
    if (!tasks) out.push(id);
    else for (const t of expand(tasks)) out.push(`${id}.${t}`);
  }
  return out;
}

function expand(range: string): number[] {
  const out: number[] = [];
  for (const part of range.split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim());
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i += Number(m[3] ?? 1)) out.push(i);
  }
  return out;
}

export const SLURM: BatchCluster = {
  type: 'slurm',
  gate: clusterGate({
    tests: 'test/batch',
    what: 'Slurm controller',
    command: 'sinfo',
    args: ['-h'],
    up: 'scripts/local-slurm.sh up',
  }),
  options: 'poll_interval = "1s"',
  arrayTask: (item) => new RegExp(`^job \\d+_${item}$`),
  liveJobs: slurmJobs,
  kill: (ids) => void spawnSync('scancel', [...ids], { stdio: 'ignore' }),
  queueCommand: 'squeue',
  // squeue --jobs with the ids of every job of the run (an array by its own id), or --me.
  wholeQueue: (args, jobs) => {
    if (args.includes('--me')) return true;
    const listed = new Set((args[args.indexOf('--jobs') + 1] ?? '').split(','));
    return args.includes('--jobs') && jobs.every((j) => listed.has(j.split('_')[0]!));
  },
};

export const SGE: BatchCluster = {
  type: 'sge',
  gate: clusterGate({
    tests: 'test/batch',
    what: 'Grid Engine qmaster',
    command: 'qstat',
    args: ['-u', '*'],
    up: 'scripts/local-sge.sh up',
    timeoutMs: 20_000,
  }),
  options: 'poll_interval = "1s"\nqueue = "all.q"',
  // Grid Engine counts array tasks from 1.
  arrayTask: (item) => new RegExp(`^job \\d+\\.${item + 1}$`),
  liveJobs: sgeJobs,
  kill: (ids) => void spawnSync('qdel', [...ids], { stdio: 'ignore' }),
  queueCommand: 'qstat',
  // qstat -xml -u USER lists every job of the user.
  wholeQueue: (args) => args[0] === '-xml' && args[1] === '-u',
};

/**
 * A command in front of the real one, first on PATH, that logs each call's arguments (one
 * line, tab-separated) to `<dir>/<command>.log`.
 */
export function callLogger(dir: string, command: string): { env: Record<string, string>; log: string } {
  const real = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
  if (!real) throw new Error(`${command} is not on PATH`);
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `${command}.log`);
  writeFileSync(
    join(dir, command),
    ['#!/bin/sh', `(IFS=$(printf '\\t'); printf '%s\\n' "$*") >>'${log}'`, `exec '${real}' "$@"`, ''].join(
      '\n',
    ),
    { mode: 0o755 },
  );
  return { env: { PATH: `${dir}:${process.env.PATH ?? ''}` }, log };
}
