import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

/**
 * The RG task farm (seed 002) through the real binary on the local machine: the steps in
 * order, the throttle, per-task seeds, READY and DONE.json written by the campaign, a rerun of
 * only the missing or failed batch, the restart from a step, both `--set` forms, logs per run.
 * Small arrays (8 batches, at most 2 at once) keep it quick; rg-taskfarm-slurm.test.ts shows
 * the 32 batches throttled to 4 as Slurm gets them.
 */
const rig = new Rig('campaign-rg-');
afterAll(() => rig.cleanup());

const FILE = 'rg/campaign.toml';
/** The second `--set` form, as the seed documents it: several overrides after one `--set`. */
const SMALL = ['--set', 'vars.batches=0..7', 'fp.gen.max_parallel=2', 'exp.generate.max_parallel=2'];
/** The same overrides, one `--set` each. */
const SMALL_REPEATED = [
  '--set',
  'vars.batches=0..7',
  '--set',
  'fp.gen.max_parallel=2',
  '--set',
  'exp.generate.max_parallel=2',
];
const OUT = 'rg/job_outputs/v1';
const STEPS = [1, 2, 3];
const BATCHES = [0, 1, 2, 3, 4, 5, 6, 7];
const pad = (b: number) => String(b).padStart(2, '0');
const TOTAL = 3 * 8 + 3 + 3 * 8 + 3 + 1;

interface Ready {
  task: string;
  instance: string;
  seed: number;
  run: string;
  attempt: number;
  hash: string;
  finished: string;
}
interface DoneTask {
  id: string;
  instance?: string;
  seed?: number;
  hash: string;
  run?: string;
  attempt?: number;
  started?: string;
  finished?: string;
  wall_ms?: number;
}
interface Done {
  task: string;
  node: string;
  run: string;
  finished: string;
  tasks: DoneTask[];
}

const json = <T>(path: string): T => JSON.parse(readFileSync(rig.path(path), 'utf8')) as T;
const ready = (step: number, b: number) => json<Ready>(`${OUT}/FP/RG${step}/batch_${pad(b)}/READY`);
const done = (step: number) => json<Done>(`${OUT}/FP/RG${step}/DONE.json`);
/** The documented seed recipe: SHA-256 of "<campaign seed>:<task id>", first 4 bytes. */
const seedOf = (id: string) => createHash('sha256').update(`1234:${id}`).digest().readUInt32BE(0);
const t = (iso: string | undefined) => Date.parse(iso!);

/** Tasks and reasons of `run --dry-run`, one `id reason` line each. */
function dryRun(...args: string[]): { head: string; lines: string[] } {
  const r = rig.run(['run', FILE, ...SMALL_REPEATED, '--dry-run', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const [head, ...rest] = r.stdout.trimEnd().split('\n');
  return { head: head!, lines: rest.map((l) => l.trim().replace(/\s+/g, ' ')) };
}

function run(args: string[] = [], env: Record<string, string> = {}) {
  return rig.run(['run', FILE, ...SMALL, '--cores', '8', '--ui', 'plain', ...args], {
    env,
    timeout: 600_000,
  });
}

let firstRun = '';

describe('the RG task farm, locally', () => {
  beforeAll(() => {
    cpSync(join(repo, 'campaigns', 'rg-taskfarm'), rig.path('rg'), {
      recursive: true,
      filter: (src) => !['job_outputs', '.campaign'].includes(basename(src)),
    });
  });

  it('runs every step in order, each step after the previous aggregation, at most 2 batches at once', () => {
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`succeeded: ${TOTAL} succeeded in `);
    firstRun = ready(1, 0).run;
    for (const step of STEPS) {
      const d = done(step);
      expect(d.task).toBe(`fp.aggregate[RG${step}]`);
      expect(d.tasks.map((x) => x.id)).toEqual([
        ...BATCHES.map((b) => `fp.gen[RG${step}-batch_${pad(b)}]`),
        `fp.aggregate[RG${step}]`,
      ]);
      const gens = d.tasks.slice(0, 8);
      // Every batch of the step ended before its aggregation started.
      const agg = d.tasks[8]!;
      for (const g of gens) expect(t(g.finished)).toBeLessThanOrEqual(t(agg.started));
      // The step started after the previous step's aggregation ended.
      if (step > 1) {
        const prev = done(step - 1).tasks[8]!;
        for (const g of gens) expect(t(g.started)).toBeGreaterThanOrEqual(t(prev.finished));
      }
      // max_parallel = 2: no instant has three batches of the step running (8 cores were free).
      for (const g of gens) {
        const during = gens.filter((h) => t(h.started) <= t(g.started) && t(h.finished) > t(g.started));
        expect(during.length).toBeLessThanOrEqual(2);
      }
    }
    const report = json<Record<string, number>>(`${OUT}/EXP/report.json`);
    expect(Object.keys(report)).toEqual(['0.0', '0.5', '1.0']);
  }, 600_000);

  it('writes a READY marker per batch and a DONE.json per step, with ids, seeds, hashes and times', () => {
    for (const step of STEPS) {
      const d = done(step);
      expect(d).toMatchObject({ node: 'fp.aggregate', run: firstRun });
      for (const b of BATCHES) {
        const id = `fp.gen[RG${step}-batch_${pad(b)}]`;
        const r = ready(step, b);
        expect(r).toEqual({
          task: id,
          instance: `RG${step}-batch_${pad(b)}`,
          seed: seedOf(id),
          run: firstRun,
          attempt: 1,
          hash: expect.stringMatching(/^[0-9a-f]{16}$/),
          finished: expect.any(String),
        });
        expect(d.tasks[b]).toMatchObject({ id, seed: seedOf(id), hash: r.hash, run: firstRun, attempt: 1 });
        expect(d.tasks[b]!.wall_ms).toEqual(expect.any(Number));
      }
    }
    // The shifted runs' markers too.
    const exp = json<Done>(`${OUT}/EXP/shift_0.5/DONE.json`);
    expect(exp.tasks.map((x) => x.id)).toEqual([
      'fp.aggregate[RG3]',
      ...BATCHES.map((b) => `exp.generate[s0.5-b${pad(b)}]`),
      'exp.histogram[0.5]',
    ]);
  });

  it('gives each batch its own deterministic seed, which its log shows', () => {
    const seeds = new Set(STEPS.flatMap((s) => BATCHES.map((b) => ready(s, b).seed)));
    expect(seeds.size).toBe(24);
    const log = rig.run(['logs', 'fp.gen[RG2-batch_03]', FILE]);
    expect(log.code).toBe(0);
    expect(log.stdout).toBe(
      `step 2 batch 3 seed ${seedOf('fp.gen[RG2-batch_03]')}: 2000 samples from job_outputs/v1/FP/RG1/hist.json\n`,
    );
  });

  it('both --set forms are the same campaign: nothing is left to run', () => {
    expect(dryRun()).toEqual({
      head: `would run 0 of ${TOTAL} selected tasks (${TOTAL} up to date)`,
      lines: [],
    });
  });

  it("reruns only a deleted batch's index, then its aggregation and what follows", () => {
    rmSync(rig.path(`${OUT}/EXP/shift_0.5/batch_05`), { recursive: true });
    expect(dryRun()).toEqual({
      head: `would run 3 of ${TOTAL} selected tasks (${TOTAL - 3} up to date):`,
      lines: [
        'exp.generate[s0.5-b05] outputs missing',
        'exp.histogram[0.5] upstream changed',
        'exp.report upstream changed',
      ],
    });
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const started = [...r.stdout.matchAll(/started\s+(\S+)/g)].map((m) => m[1]);
    expect(started).toEqual(['exp.generate[s0.5-b05]', 'exp.histogram[0.5]', 'exp.report']);
    const again = json<Ready>(`${OUT}/EXP/shift_0.5/batch_05/READY`);
    expect(again.run).not.toBe(firstRun);
    // DONE.json of the shift: the rerun batch from this run, the others from the first.
    const d = json<Done>(`${OUT}/EXP/shift_0.5/DONE.json`);
    expect(d.run).toBe(again.run);
    expect(d.tasks.map((x) => x.run)).toEqual([
      firstRun,
      ...BATCHES.map((b) => (b === 5 ? again.run : firstRun)),
      again.run,
    ]);
  }, 600_000);

  it('a batch that keeps failing holds its step and all later steps; the next run reruns only that batch', () => {
    rmSync(rig.path(`${OUT}/FP/RG2/batch_03`), { recursive: true });
    const failed = run([], { RG_FAIL_BATCH: '2:3' });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/failed\s+fp\.gen\[RG2-batch_03\] .*exit code 4/);
    expect(failed.stdout).toMatch(/skipped\s+fp\.aggregate\[RG2\]/);
    expect(existsSync(rig.path(`${OUT}/FP/RG2/batch_03/READY`))).toBe(false);
    const retried = [...failed.stdout.matchAll(/started\s+(fp\.gen\[RG2-batch_03\])/g)];
    expect(retried).toHaveLength(2);
    const plan = dryRun();
    expect(plan.lines.filter((l) => l.startsWith('fp.gen[RG2'))).toEqual(['fp.gen[RG2-batch_03] failed']);
    expect(plan.lines).toContain('fp.aggregate[RG2] incomplete');
    expect(plan.lines).toContain('fp.gen[RG3-batch_07] incomplete');
    const r = run();
    expect(r.code).toBe(0);
    const rg2 = [...r.stdout.matchAll(/started\s+(fp\.gen\[RG2\S*)/g)].map((m) => m[1]);
    expect(rg2).toEqual(['fp.gen[RG2-batch_03]']);
    expect(ready(2, 3).attempt).toBe(1);
    expect(ready(2, 2).run).toBe(firstRun);
  }, 600_000);

  it("restarts from step 3: step 3 and the shifted runs run again, steps 1 and 2 keep the first run's markers", () => {
    const before = ready(1, 0);
    const plan = dryRun('--from', 'fp.gen[step=3]', '--force');
    expect(plan.head).toBe('would run 37 of 37 selected tasks (0 up to date):');
    expect(plan.lines.slice(0, 9)).toEqual([
      ...BATCHES.map((b) => `fp.gen[RG3-batch_${pad(b)}] forced`),
      'fp.aggregate[RG3] forced',
    ]);
    const r = run(['--from', 'fp.gen[step=3]', '--force']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('succeeded: 37 succeeded in ');
    expect(ready(1, 0)).toEqual(before);
    const rerun = done(3).run;
    expect(rerun).not.toBe(firstRun);
    for (const b of BATCHES) expect(ready(3, b).run).toBe(rerun);
    // Each run keeps its own logs: the first run's attempt of a batch run again is still there.
    const id = 'fp.gen[RG3-batch_00]';
    const line = `step 3 batch 0 seed ${seedOf(id)}: 2000 samples from job_outputs/v1/FP/RG2/hist.json\n`;
    for (const which of [firstRun, rerun]) {
      const log = rig.run(['logs', id, FILE, '--run', which]);
      expect(log.stderr).toBe('');
      expect(log.stdout).toBe(line);
    }
  }, 600_000);
});
