import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { Resources } from '../../src/model/campaign.js';
import type { CommandRunner } from '../../src/schedulers/batch/runner.js';
import { execaRunner } from '../../src/schedulers/batch/runner.js';
import type { Submission, Update } from '../../src/schedulers/contract.js';

/** A real batch scheduler for tests: whether it answers, and `describe` that needs it. */
export interface ClusterGate {
  readonly available: boolean;
  /** `describe` for tests against the real cluster: skips without it, except under CI. */
  readonly describe: typeof describe | typeof describe.skip;
  /** For `beforeAll`: under CI a missing scheduler fails the tests, never skips them. */
  readonly assert: () => void;
}

/**
 * Probes a scheduler with one command (`sinfo -h`, `qstat -u *`). Without it the tests skip
 * with a warning, except under CI=true, where `assert` in `beforeAll` makes them fail.
 */
export function clusterGate(o: {
  /** The folder of the tests, for the warning (`test/slurm`). */
  readonly tests: string;
  /** What answers (`Slurm controller`). */
  readonly what: string;
  readonly command: string;
  readonly args: readonly string[];
  /** How to bring it up (`scripts/local-slurm.sh up`). */
  readonly up: string;
  readonly timeoutMs?: number;
}): ClusterGate {
  const shown = `${o.command}${o.args.length > 0 ? ` ${o.args.join(' ')}` : ''}`;
  const available =
    spawnSync(o.command, [...o.args], { stdio: 'ignore', timeout: o.timeoutMs ?? 15_000 }).status === 0;
  if (!available && !process.env.CI)
    console.warn(`${o.tests}: no ${o.what} answers \`${shown}\` (${o.up}); skipping the cluster tests`);
  return {
    available,
    describe: available || process.env.CI ? describe : describe.skip,
    assert: () => {
      if (!available) throw new Error(`CI=true but no ${o.what} answers \`${shown}\`: run ${o.up}`);
    },
  };
}

/** Unique per test process, so job names of concurrent or earlier runs never meet. */
export const UNIQUE = `${process.pid.toString(36)}${Date.now().toString(36)}`;

/** A submission whose files live in `<root>/runs/<run>/tasks/<task>/<attempt>.*`, as the engine lays them out. */
export function submission(
  resources: Resources,
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
    resources,
    options: {},
    files: { out: `${base}.out`, err: `${base}.err`, result: `${base}.result` },
    jobName: `t.${taskId}`,
  };
  return { ...s, ...extra };
}

/** Counts the scheduler commands an adapter runs, by command name, in front of the real ones. */
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

/** Collects an adapter's updates and waits for the ones a test expects. */
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

  /** The update that finished a task: `ended` or `unsatisfiable`. */
  last(taskId: string): Update | undefined {
    return this.all.find(
      (u) => (u.kind === 'ended' || u.kind === 'unsatisfiable') && u.handle.taskId === taskId,
    );
  }

  /** Resolves once every task has ended (or was given up as unsatisfiable); fails after `ms`. */
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

/** Polls `done` every 200 ms until it holds; fails with `what` after `ms`. */
export async function waitFor(done: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
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

/**
 * A submission command (`sbatch`, `qsub`) in front of the real one, first on PATH (in
 * `<root>/<command>-wrapper`): it logs each call (`start`, then `submitted <exit> <output>`
 * once the real command answered) and sleeps before and after the real call as the
 * environment says, so a test can kill the head inside a submission: before the scheduler has
 * the job, or after it has it but before the head has heard.
 */
export class SubmitWrapper {
  readonly dir: string;
  readonly log: string;

  constructor(
    root: string,
    readonly command: string,
  ) {
    const real = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
    this.dir = join(root, `${command}-wrapper`);
    this.log = join(this.dir, 'calls.log');
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(
      join(this.dir, command),
      [
        '#!/bin/sh',
        'log=${CAMPAIGN_TEST_SUBMIT_LOG:?}',
        'echo "start $$" >>"$log"',
        'sleep "${CAMPAIGN_TEST_SUBMIT_BEFORE:-0}"',
        `out=$('${real}' "$@"); code=$?`,
        'echo "submitted $$ $code $out" >>"$log"',
        'sleep "${CAMPAIGN_TEST_SUBMIT_AFTER:-0}"',
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
      CAMPAIGN_TEST_SUBMIT_LOG: this.log,
      CAMPAIGN_TEST_SUBMIT_BEFORE: String(before),
      CAMPAIGN_TEST_SUBMIT_AFTER: String(after),
    };
  }

  /** Ends the calls still sleeping (a killed head leaves them behind), and their sleeps. */
  stop(): void {
    const script = join(this.dir, this.command);
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
