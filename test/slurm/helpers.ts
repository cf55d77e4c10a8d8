import { spawnSync } from 'node:child_process';
import type { Resources } from '../../src/model/campaign.js';
import type { Submission } from '../../src/schedulers/contract.js';
import { clusterGate, SubmitWrapper, submission } from '../batch/helpers.js';

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

/**
 * An `sbatch` in front of the real one, first on PATH (in `<root>/sbatch-wrapper`): it logs
 * each call and sleeps before and after the real call as the environment says, so a test can
 * kill the head inside a submission: before Slurm has the job, or after Slurm has it but
 * before the head has heard.
 */
export class SbatchWrapper extends SubmitWrapper {
  constructor(root: string) {
    super(root, 'sbatch');
  }
}
