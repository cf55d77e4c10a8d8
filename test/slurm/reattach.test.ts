import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { count, counts, startedAfter, TASK, waitFor } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { assertSlurm, describeSlurm, liveJobs, SbatchWrapper, UNIQUE } from './helpers.js';

/**
 * A head killed with SIGKILL in the middle of handing work to Slurm, and `campaign run` again:
 * everything goes through the real binary, the files it writes and the real cluster. The kill
 * moments are chosen by an `sbatch` wrapper on PATH that logs each call and sleeps around it.
 */
let rig: Rig;
let sbatch: SbatchWrapper;
beforeAll(() => assertSlurm());
beforeEach(() => {
  rig = new Rig('campaign-reattach-');
  sbatch = new SbatchWrapper(rig.dir);
});
afterEach(() => {
  sbatch.stop();
  rig.cleanup();
});

const header = (name: string) =>
  dedent(`
    [campaign]
    name = "${name}"
    [campaign.scheduler]
    type = "slurm"
    poll_interval = "1s"
    submit_rate = 50
    [campaign.defaults.resources]
    memory = "100M"
    runtime = "5m"
  `);

/** A fan-out `a` of three, and `b` after each item of it. */
const chain = (name: string) =>
  header(name) +
  dedent(`
    [campaign.a]
    matrix = { i = [0, 1, 2] }
    command = "${TASK} a-{i} sleep=1"
    [campaign.b]
    matrix = { i = [0, 1, 2] }
    command = "${TASK} b-{i}"
    depends_on = ["a"]
  `);

const CHAIN = ['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'b-2'];
const once = (tasks: readonly string[]) => Object.fromEntries(tasks.map((t) => [t, 1]));

/**
 * The second head adopted the dead head's array of `a` (the first sbatch call) and handed
 * nothing of `a` over again; each `b[i]` ran after `a[i]` (it waited for the job by its id,
 * or was handed over once `a[i]` was collected).
 */
function adoptedA(stdout: string): void {
  const first = /^submitted \d+ 0 (\d+)$/m.exec(rig.read('sbatch-wrapper/calls.log'))?.[1];
  expect(first).toBeDefined();
  for (const i of [0, 1, 2]) {
    expect(stdout).toContain(`started    a[${i}] (job ${first}_${i})`);
    expect(startedAfter(rig, `b-${i}`, `a-${i}`), `b-${i} after a-${i}`).toBe(true);
  }
  expect(stdout).not.toMatch(/queued +a\[\d\] \(job/);
}

/** Kills the head once `ready` holds; fails if the head ended first. */
async function killWhen(head: ReturnType<Rig['start']>, ready: () => boolean): Promise<void> {
  let ended = false;
  void head.done.then(() => (ended = true));
  await waitFor(() => ready() || ended, 60_000);
  const { stdout, stderr } = head.output();
  expect(ended, `the head ended before the kill: ${stdout}${stderr}`).toBe(false);
  head.child.kill('SIGKILL');
  await head.done;
}

describeSlurm('a new head after kill -9 inside a submission to Slurm', () => {
  it('killed while ten sbatch calls are under way: every job that reached Slurm is adopted, 10 sbatch calls for 10 tasks', async () => {
    const name = `reat${UNIQUE}a`;
    const nodes = Array.from({ length: 10 }, (_, i) => `n${i}`);
    // Different memory requests: ten scripts, ten sbatch calls, one after the other.
    rig.write(
      'c.toml',
      header(name) +
        nodes
          .map(
            (n, i) => `[campaign.${n}]\ncommand = "${TASK} ${n}"\nresources = { memory = "${100 + i}M" }\n`,
          )
          .join(''),
    );
    const head = rig.start(['run', 'c.toml'], { env: sbatch.env(0.3) });
    // Four jobs are in Slurm and in the ledger; the journal has none of their ids yet.
    await killWhen(head, () => sbatch.count('submitted') >= 4);
    const again = rig.run(['run', 'c.toml'], { env: sbatch.env(), timeout: 240_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(counts(rig)).toEqual(once(nodes));
    expect(sbatch.count('start')).toBe(10);
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 300_000);

  it('killed inside sbatch before Slurm has the job: the new head waits for that sbatch, adopts its job, and hands the dependents over after it', async () => {
    const name = `reat${UNIQUE}b`;
    rig.write('c.toml', chain(name));
    const head = rig.start(['run', 'c.toml'], { env: sbatch.env(3) });
    await killWhen(head, () => sbatch.count('start') >= 1);
    expect(sbatch.count('submitted')).toBe(0);
    // The dead head's sbatch goes on and submits the array of `a` after its 3 s.
    const again = rig.run(['run', 'c.toml'], { env: sbatch.env(), timeout: 240_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(counts(rig)).toEqual(once(CHAIN));
    adoptedA(again.stdout);
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 300_000);

  it('killed after Slurm took the job but before the head heard its id: found by name, its dependents wait for it by id', async () => {
    const name = `reat${UNIQUE}c`;
    rig.write('c.toml', chain(name));
    const head = rig.start(['run', 'c.toml'], { env: sbatch.env(0, 30) });
    await killWhen(head, () => sbatch.count('submitted') >= 1);
    const again = rig.run(['run', 'c.toml'], { env: sbatch.env(), timeout: 240_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(counts(rig)).toEqual(once(CHAIN));
    adoptedA(again.stdout);
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 300_000);

  it('an upstream whose job ended while no head knew its id is collected from its result, not waited on', async () => {
    const name = `reat${UNIQUE}d`;
    rig.write('c.toml', chain(name));
    const head = rig.start(['run', 'c.toml'], { env: sbatch.env(0, 60) });
    // The jobs of `a` run and end while the head still waits for sbatch's answer.
    await killWhen(
      head,
      () => ['a-0', 'a-1', 'a-2'].every((t) => count(rig, t) === 1) && liveJobs(`${name}.`).length === 0,
    );
    const again = rig.run(['run', 'c.toml', '--ui', 'plain'], { env: sbatch.env(), timeout: 240_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(counts(rig)).toEqual(once(CHAIN));
    adoptedA(again.stdout);
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 300_000);
});
