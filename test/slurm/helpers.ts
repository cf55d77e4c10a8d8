import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { Resources } from '../../src/model/campaign.js';
import type { Submission, Update } from '../../src/schedulers/contract.js';
import { type CommandRunner, execaRunner } from '../../src/schedulers/slurm/runner.js';

/** Whether a Slurm controller answers here. */
export const hasSlurm = spawnSync('sinfo', ['-h'], { stdio: 'ignore', timeout: 15_000 }).status === 0;

/**
 * `describe` for tests against the real cluster. Without Slurm they skip, except under CI,
 * where `assertSlurm` in `beforeAll` makes them fail.
 */
export const describeSlurm = hasSlurm || process.env.CI ? describe : describe.skip;
if (!hasSlurm && !process.env.CI) {
  console.warn(
    'test/slurm: no Slurm controller answers `sinfo` (scripts/local-slurm.sh up); skipping the cluster tests',
  );
}

export function assertSlurm(): void {
  if (!hasSlurm)
    throw new Error('CI=true but no Slurm controller answers `sinfo`: run scripts/local-slurm.sh up');
}

/** Unique per test process: job names of earlier runs stay in squeue for MinJobAge. */
export const UNIQUE = `${process.pid.toString(36)}${Date.now().toString(36)}`;

export const RES: Resources = { cores: 1, gpus: 0, nodes: 1, memory: 100, origins: {} };

/** A submission whose files live in `<root>/runs/<run>/tasks/<task>/<attempt>.*`, as the engine lays them out. */
export function sub(
  root: string,
  taskId: string,
  command: string | readonly string[],
  extra: Partial<Submission> = {},
  runId = 'r1',
): Submission {
  const attempt = extra.attempt ?? 1;
  const dir = join(root, 'runs', runId, 'tasks', taskId);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, String(attempt));
  const s: Submission = {
    taskId,
    attempt,
    command,
    setup: [],
    env: { CAMPAIGN_TASK_ID: taskId },
    workdir: root,
    resources: RES,
    options: {},
    files: { out: `${base}.out`, err: `${base}.err`, result: `${base}.result` },
    jobName: `t.${taskId}`,
  };
  return { ...s, ...extra };
}

/** Counts the Slurm commands the adapter runs, by command name, in front of the real ones. */
export function countingRunner(inner: CommandRunner = execaRunner()): {
  run: CommandRunner;
  calls: Map<string, number>;
  log: string[][];
} {
  const calls = new Map<string, number>();
  const log: string[][] = [];
  const run: CommandRunner = (cmd, args, opts) => {
    calls.set(cmd, (calls.get(cmd) ?? 0) + 1);
    log.push([cmd, ...args]);
    return inner(cmd, args, opts);
  };
  return { run, calls, log };
}

/** Collects updates and waits for the ones a test expects. */
export class Updates {
  readonly all: Update[] = [];
  readonly batches: (readonly Update[])[] = [];
  private waiters: (() => void)[] = [];

  readonly sink = (u: readonly Update[]) => {
    this.batches.push(u);
    this.all.push(...u);
    for (const w of this.waiters) w();
  };

  ended(taskId: string): Extract<Update, { kind: 'ended' }> | undefined {
    return this.all.find(
      (u): u is Extract<Update, { kind: 'ended' }> => u.kind === 'ended' && u.handle.taskId === taskId,
    );
  }

  /** The update that gave the task up because its dependency can never be satisfied. */
  unsatisfiable(taskId: string): Extract<Update, { kind: 'unsatisfiable' }> | undefined {
    return this.all.find(
      (u): u is Extract<Update, { kind: 'unsatisfiable' }> =>
        u.kind === 'unsatisfiable' && u.handle.taskId === taskId,
    );
  }

  /** Resolves once every task has ended (or was given up as unsatisfiable); fails after `ms`. */
  async waitEnded(taskIds: readonly string[], ms: number): Promise<void> {
    const over = (t: string) => this.ended(t) ?? this.unsatisfiable(t);
    await this.until(
      () => taskIds.every(over),
      ms,
      () => {
        const missing = taskIds.filter((t) => !over(t));
        return `still not ended after ${ms} ms: ${missing.join(', ')}`;
      },
    );
  }

  until(done: () => boolean, ms: number, why: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(why())), ms);
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }
}

/** Job ids in the queue (any state) whose name starts with `prefix`. */
export function queueByName(prefix: string): string[] {
  const r = spawnSync('squeue', ['-h', '-r', '-t', 'all', '-O', 'JobArrayID:|,Name:|'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f[1]?.startsWith(prefix))
    .map((f) => f[0]!);
}

/** Jobs (pending or running, array tasks one per row) whose name starts with `prefix`. */
export function liveJobs(prefix: string): string[] {
  const r = spawnSync('squeue', ['-h', '-r', '-O', 'JobArrayID:|,Name:|'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f[1]?.startsWith(prefix))
    .map((f) => f[0]!.trim());
}

const REAL_SBATCH = spawnSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).stdout.trim();

/**
 * An `sbatch` in front of the real one, first on PATH: it logs each call (`start`, then
 * `submitted <exit> <output>` once the real sbatch answered) and sleeps before and after the
 * real call as the environment says, so a test can kill the head inside a submission: before
 * Slurm has the job, or after Slurm has it but before the head has heard.
 */
export class SbatchWrapper {
  readonly dir: string;
  readonly log: string;

  constructor(root: string) {
    this.dir = join(root, 'sbatch-wrapper');
    this.log = join(this.dir, 'calls.log');
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(
      join(this.dir, 'sbatch'),
      [
        '#!/bin/sh',
        'log=${CAMPAIGN_TEST_SBATCH_LOG:?}',
        'echo "start $$" >>"$log"',
        'sleep "${CAMPAIGN_TEST_SBATCH_BEFORE:-0}"',
        `out=$(${REAL_SBATCH} "$@"); code=$?`,
        'echo "submitted $$ $code $out" >>"$log"',
        'sleep "${CAMPAIGN_TEST_SBATCH_AFTER:-0}"',
        '[ -n "$out" ] && printf "%s\\n" "$out"',
        'exit "$code"',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
  }

  /** The environment of a head that goes through the wrapper; seconds to sleep before and after. */
  env(before = 0, after = 0): Record<string, string> {
    return {
      PATH: `${this.dir}:${process.env.PATH ?? ''}`,
      CAMPAIGN_TEST_SBATCH_LOG: this.log,
      CAMPAIGN_TEST_SBATCH_BEFORE: String(before),
      CAMPAIGN_TEST_SBATCH_AFTER: String(after),
    };
  }

  /** Ends the calls still sleeping (a killed head leaves them behind), and their sleeps. */
  stop(): void {
    const script = join(this.dir, 'sbatch');
    for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(script)) continue;
        spawnSync('pkill', ['-P', pid]);
        process.kill(Number(pid), 'SIGTERM');
      } catch {
        // gone meanwhile
      }
    }
  }

  /** How many calls got as far as `start` or `submitted`. */
  count(kind: 'start' | 'submitted'): number {
    if (!existsSync(this.log)) return 0;
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`${kind} `)).length;
  }
}

/** The path of the one file named `name` below `root` (the state directory's layout may vary). */
export function findFile(root: string, name: string): string | undefined {
  if (!existsSync(root)) return undefined;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory()) {
      const found = findFile(p, name);
      if (found) return found;
    }
  }
  return undefined;
}
