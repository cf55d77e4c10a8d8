import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resources } from '../../src/model/campaign.js';
import type { Submission } from '../../src/schedulers/contract.js';
import { clusterGate, submission } from '../batch/helpers.js';

export { countingRunner, findFile, UNIQUE, Updates } from '../batch/helpers.js';

const slurm = clusterGate({
  tests: 'test/slurm',
  what: 'Slurm controller',
  command: 'sinfo',
  args: ['-h'],
  up: 'scripts/local-slurm.sh up',
});

/** Whether a Slurm controller answers here. */
export const hasSlurm = slurm.available;

/**
 * `describe` for tests against the real cluster. Without Slurm they skip, except under CI,
 * where `assertSlurm` in `beforeAll` makes them fail.
 */
export const describeSlurm = slurm.describe;
export const assertSlurm = slurm.assert;

export const RES: Resources = { cores: 1, gpus: 0, nodes: 1, memory: 100, origins: {} };

/** A submission whose files live in `<root>/runs/<run>/tasks/<task>/<attempt>.*`, as the engine lays them out. */
export function sub(
  root: string,
  taskId: string,
  command: string | readonly string[],
  extra: Partial<Submission> = {},
  runId = 'r1',
): Submission {
  return submission(RES, root, taskId, command, extra, runId);
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
