import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
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

  /** Resolves once every task has ended; fails after `ms`. */
  async waitEnded(taskIds: readonly string[], ms: number): Promise<void> {
    await this.until(
      () => taskIds.every((t) => this.ended(t)),
      ms,
      () => {
        const missing = taskIds.filter((t) => !this.ended(t));
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
