import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { Resources } from '../../src/model/campaign.js';
import type { Submission, Update } from '../../src/schedulers/contract.js';
import { expandTasks } from '../../src/schedulers/sge/ids.js';
import { type CommandRunner, execaRunner } from '../../src/schedulers/slurm/runner.js';

// The Grid Engine commands need these; CI exports them, a shell may not have.
process.env.SGE_ROOT ??= '/var/lib/gridengine';
process.env.SGE_CELL ??= 'default';

/** Whether a Grid Engine qmaster answers here. */
export const hasSge = spawnSync('qstat', ['-u', '*'], { stdio: 'ignore', timeout: 20_000 }).status === 0;

/**
 * `describe` for tests against the real cluster. Without Grid Engine they skip, except
 * under CI, where `assertSge` in `beforeAll` makes them fail.
 */
export const describeSge = hasSge || process.env.CI ? describe : describe.skip;
if (!hasSge && !process.env.CI) {
  console.warn(
    'test/sge: no Grid Engine qmaster answers `qstat` (scripts/local-sge.sh up); skipping the cluster tests',
  );
}

export function assertSge(): void {
  if (!hasSge)
    throw new Error('CI=true but no Grid Engine qmaster answers `qstat`: run scripts/local-sge.sh up');
}

/** Unique per test process, so job names of concurrent runs never meet. */
export const UNIQUE = `${process.pid.toString(36)}${Date.now().toString(36)}`;

export const RES: Resources = { cores: 1, gpus: 0, nodes: 1, memory: 200, origins: {} };

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

/** Counts the Grid Engine commands the adapter runs, by command name, in front of the real ones. */
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
  private waiters: (() => void)[] = [];

  readonly sink = (u: readonly Update[]) => {
    this.all.push(...u);
    for (const w of this.waiters) w();
  };

  ended(taskId: string): Extract<Update, { kind: 'ended' }> | undefined {
    return this.all.find(
      (u): u is Extract<Update, { kind: 'ended' }> => u.kind === 'ended' && u.handle.taskId === taskId,
    );
  }

  /** The update that finished a task: `ended` or `unsatisfiable`. */
  last(taskId: string): Update | undefined {
    return this.all.find(
      (u) => (u.kind === 'ended' || u.kind === 'unsatisfiable') && u.handle.taskId === taskId,
    );
  }

  /** Resolves once every task has ended (or was given up); fails after `ms`. */
  async waitEnded(taskIds: readonly string[], ms: number): Promise<void> {
    await this.until(
      () => taskIds.every((t) => this.last(t)),
      ms,
      () => `still not ended after ${ms} ms: ${taskIds.filter((t) => !this.last(t)).join(', ')}`,
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

/** Jobs and array tasks Grid Engine lists (any state) whose name starts with `prefix`. */
export function queueByName(prefix: string): string[] {
  const r = spawnSync('qstat', ['-xml', '-u', '*'], { encoding: 'utf8' });
  const out: string[] = [];
  for (const m of r.stdout.matchAll(/<job_list\b[^>]*>([\s\S]*?)<\/job_list>/g)) {
    const name = /<JB_name>([^<]*)<\/JB_name>/.exec(m[1]!)?.[1] ?? '';
    const id = /<JB_job_number>(\d+)<\/JB_job_number>/.exec(m[1]!)?.[1];
    const tasks = /<tasks>([^<]*)<\/tasks>/.exec(m[1]!)?.[1];
    if (id && name.startsWith(prefix)) out.push(tasks ? `${id}.${tasks}` : id);
  }
  return out;
}

/** Deletes what a test left in the queue under its job name prefix (a failed test's jobs). */
export function cleanQueue(prefix: string): void {
  const ids = [...new Set(queueByName(prefix).map((j) => j.split('.')[0]!))];
  if (ids.length > 0) spawnSync('qdel', ids, { stdio: 'ignore' });
}

/** Grid Engine's state letters of a job or array task (`123.4`), or undefined when it is not listed. */
export function stateOf(jobId: string): string | undefined {
  const r = spawnSync('qstat', ['-xml', '-u', '*'], { encoding: 'utf8' });
  const [job, task] = jobId.split('.');
  for (const m of r.stdout.matchAll(/<job_list\b[^>]*>([\s\S]*?)<\/job_list>/g)) {
    if (/<JB_job_number>(\d+)<\/JB_job_number>/.exec(m[1]!)?.[1] !== job) continue;
    const tasks = /<tasks>([^<]*)<\/tasks>/.exec(m[1]!)?.[1];
    if (task !== undefined && !expandTasks(tasks ?? '').includes(Number(task))) continue;
    return /<state>([^<]*)<\/state>/.exec(m[1]!)?.[1];
  }
  return undefined;
}

/** Polls `done` every 200 ms until it holds; fails with `what` after `ms`. */
export async function waitFor(done: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
