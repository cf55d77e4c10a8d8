import { spawnSync } from 'node:child_process';
import type { Resources } from '../../src/model/campaign.js';
import type { Submission } from '../../src/schedulers/contract.js';
import { expandTasks } from '../../src/schedulers/sge/ids.js';
import { clusterGate, submission } from '../batch/helpers.js';

export { countingRunner, UNIQUE, Updates, waitFor } from '../batch/helpers.js';

// The Grid Engine commands need these; CI exports them, a shell may not have.
process.env.SGE_ROOT ??= '/var/lib/gridengine';
process.env.SGE_CELL ??= 'default';

const sge = clusterGate({
  tests: 'test/sge',
  what: 'Grid Engine qmaster',
  command: 'qstat',
  args: ['-u', '*'],
  up: 'scripts/local-sge.sh up',
  timeoutMs: 20_000,
});

/** Whether a Grid Engine qmaster answers here. */
export const hasSge = sge.available;

/**
 * `describe` for tests against the real cluster. Without Grid Engine they skip, except
 * under CI, where `assertSge` in `beforeAll` makes them fail.
 */
export const describeSge = sge.describe;
export const assertSge = sge.assert;

export const RES: Resources = { cores: 1, gpus: 0, nodes: 1, memory: 200, origins: {} };

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
