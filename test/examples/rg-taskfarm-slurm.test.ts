import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';
import { assertSlurm, describeSlurm, liveJobs, UNIQUE } from '../slurm/helpers.js';

/**
 * The RG task farm (seed 002) on the real local Slurm, through the binary: each step's
 * generation array is one sbatch with `--array=0-N%throttle`, held with `afterok` on the
 * previous step's aggregation; the markers are written; every task ran once; none of the run's
 * jobs is left. Without Slurm it skips, and fails under CI=true (test/batch/helpers.ts).
 */
interface Status {
  totals: Record<string, number>;
  tasks: { id: string; state: string; attempts: { n: number; state: string; where?: { job?: string } }[] }[];
}

const rig = new Rig('campaign-rg-slurm-');
afterAll(() => rig.cleanup());

/** The submission scripts of the campaign's only run, with their text. */
function scripts(dir: string): { name: string; text: string }[] {
  const runs = rig.path(dir, '.campaign', 'campaign', 'runs');
  const [run, ...more] = readdirSync(runs);
  expect(more).toEqual([]);
  const slurm = join(runs, run!, 'slurm');
  return readdirSync(slurm)
    .filter((f) => f.endsWith('.sh'))
    .map((f) => ({ name: f, text: readFileSync(join(slurm, f), 'utf8') }));
}

/** The FP step whose generation tasks a script runs, if it runs any. */
const stepOf = (text: string) => {
  const steps = new Set([...text.matchAll(/'fp\.gen\[RG(\d)-batch_\d\d\]'/g)].map((m) => Number(m[1])));
  expect(steps.size).toBeLessThanOrEqual(1);
  return [...steps][0];
};

describeSlurm('the RG task farm on Slurm', () => {
  beforeAll(assertSlurm);

  it('runs each step as one throttled array held on the previous aggregation, and writes the markers', () => {
    cpSync(join(repo, 'campaigns', 'rg-taskfarm'), rig.path('a'), {
      recursive: true,
      filter: (src) => !['job_outputs', '.campaign'].includes(basename(src)),
    });
    const name = `rg${UNIQUE}a`;
    const set = [
      '--set',
      'scheduler.type=slurm',
      'scheduler.poll_interval=1s',
      `name=${name}`,
      'vars.batches=0..7',
      'fp.gen.max_parallel=2',
      'exp.generate.max_parallel=2',
    ];
    const r = rig.run(['run', 'a/campaign.toml', ...set, '--ui', 'plain'], { timeout: 900_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ on slurm: 55 tasks\n/);
    expect(r.stdout).toContain('succeeded: 55 succeeded in ');

    const s = JSON.parse(rig.run(['status', 'a/campaign.toml', ...set, '--json']).stdout) as Status;
    expect(s.totals.succeeded).toBe(55);
    for (const t of s.tasks) expect(t.attempts.map((a) => a.state)).toEqual(['succeeded']);
    const job = (id: string) => s.tasks.find((t) => t.id === id)!.attempts[0]!.where!.job!;

    // One array per step, 8 tasks, at most 2 at once; step k waits for aggregate k-1's job.
    const gen = scripts('a')
      .map((x) => ({ ...x, step: stepOf(x.text) }))
      .filter((x) => x.step !== undefined)
      .sort((a, b) => a.step! - b.step!);
    expect(gen.map((x) => x.step)).toEqual([1, 2, 3]);
    for (const { text, step } of gen) {
      expect(text).toMatch(/^#SBATCH --array=0-7%2$/m);
      const dep = /^#SBATCH --dependency=(.*)$/m.exec(text)?.[1];
      if (step === 1) expect(dep).toBeUndefined();
      else expect(dep).toBe(`afterok:${job(`fp.aggregate[RG${step! - 1}]`)}`);
      // The array's task i is batch i of the step, as its job id shows.
      for (let b = 0; b < 8; b++) {
        expect(job(`fp.gen[RG${step}-batch_0${b}]`)).toMatch(new RegExp(`^\\d+_${b}$`));
      }
    }

    // The campaign wrote the markers: a READY per batch, a DONE.json per step listing its batches.
    for (const step of [1, 2, 3]) {
      const done = JSON.parse(rig.read(`a/job_outputs/v1/FP/RG${step}/DONE.json`)) as {
        tasks: { id: string }[];
      };
      expect(done.tasks.map((t) => t.id)).toEqual([
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((b) => `fp.gen[RG${step}-batch_0${b}]`),
        `fp.aggregate[RG${step}]`,
      ]);
      for (let b = 0; b < 8; b++) {
        const ready = JSON.parse(rig.read(`a/job_outputs/v1/FP/RG${step}/batch_0${b}/READY`)) as {
          task: string;
        };
        expect(ready.task).toBe(`fp.gen[RG${step}-batch_0${b}]`);
      }
    }
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 900_000);

  it('submits the 32 batches of a step as --array=0-31%4', () => {
    cpSync(join(repo, 'campaigns', 'rg-taskfarm'), rig.path('b'), {
      recursive: true,
      filter: (src) => !['job_outputs', '.campaign'].includes(basename(src)),
    });
    const name = `rg${UNIQUE}b`;
    const set = [
      '--set',
      'scheduler.type=slurm',
      'scheduler.poll_interval=1s',
      `name=${name}`,
      'vars.samples=50',
    ];
    const r = rig.run(['run', 'b/campaign.toml', ...set, '--only', 'fp.gen[step=1]', '--ui', 'plain'], {
      timeout: 900_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('succeeded: 32 succeeded in ');
    const all = scripts('b');
    expect(all).toHaveLength(1);
    expect(all[0]!.text).toMatch(/^#SBATCH --array=0-31%4$/m);
    expect(stepOf(all[0]!.text)).toBe(1);
    for (let b = 0; b < 32; b++) {
      const id = `fp.gen[RG1-batch_${String(b).padStart(2, '0')}]`;
      expect(
        JSON.parse(rig.read(`b/job_outputs/v1/FP/RG1/batch_${String(b).padStart(2, '0')}/READY`)).task,
      ).toBe(id);
    }
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 900_000);
});
