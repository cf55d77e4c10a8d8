// What the batch scheduler benchmarks (bench/slurm.js, bench/sge.js) share: a runner that
// counts the scheduler commands, submissions laid out as the engine lays them out, and a wait
// with a deadline. (A folder of its own: bench/run.js runs every .js file of bench/.)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execaRunner } from '../../dist/schedulers/batch/runner.js';

export const RES = { cores: 1, gpus: 0, nodes: 1, memory: 100, origins: {} };

/** The real scheduler commands, counted by command name. */
export function counting() {
  const inner = execaRunner();
  const calls = new Map();
  const run = (cmd, args, opts) => {
    calls.set(cmd, (calls.get(cmd) ?? 0) + 1);
    return inner(cmd, args, opts);
  };
  return { run, calls };
}

/** A submission below `root`, laid out as the engine lays it out. */
export function submission(root, runId, task, command, index) {
  const dir = join(root, 'runs', runId, 'tasks', task);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, '1');
  return {
    taskId: task,
    attempt: 1,
    command,
    setup: [],
    env: {
      CAMPAIGN_NAME: 'bench',
      CAMPAIGN_RUN_ID: runId,
      CAMPAIGN_TASK_ID: task,
      CAMPAIGN_NODE: 'fan',
      CAMPAIGN_ATTEMPT: '1',
      CAMPAIGN_CORES: '1',
      CAMPAIGN_MEMORY_MB: '100',
      CAMPAIGN_DIR: root,
      CAMPAIGN_TASK_INDEX: String(index),
    },
    workdir: root,
    resources: RES,
    options: {},
    files: { out: `${base}.out`, err: `${base}.err`, result: `${base}.result` },
    jobName: `bench.${task}`,
  };
}

/** Resolves once `pred` holds; rejects after `ms`. */
export function waitFor(pred, ms, what) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) return resolve(undefined);
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

export const fmt = (n, d = 1) => n.toFixed(d);
