import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { counts, TASK, times } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { assertSlurm, describeSlurm, findFile, UNIQUE } from './helpers.js';

/**
 * Campaigns with `type = "slurm"` through the real binary, on the real local cluster: what
 * only Slurm is tested for here. The cases every batch scheduler passes are the scheduler
 * suite's (test/batch/suite.ts).
 */
let rig: Rig;
beforeAll(() => assertSlurm());
beforeEach(() => {
  rig = new Rig('campaign-slurm-');
});
afterEach(() => rig.cleanup());

const campaign = (name: string, genArgs = '') =>
  dedent(`
    [campaign]
    name = "${name}"
    [campaign.scheduler]
    type = "slurm"
    poll_interval = "1s"
    [campaign.defaults.resources]
    memory = "100M"
    runtime = "5m"
    [campaign.prep]
    command = "${TASK} prep"
    [campaign.gen]
    matrix = { i = [0, 1, 2, 3] }
    command = "${TASK} gen-{i} ${genArgs}"
    depends_on = ["prep"]
    [campaign.post]
    matrix = { i = [0, 1, 2, 3] }
    command = "${TASK} post-{i}"
    depends_on = ["gen"]
    [campaign.funnel]
    command = "${TASK} funnel"
    depends_on = ["post[*]"]
  `);

const ALL = ['prep', 'gen-0', 'gen-1', 'gen-2', 'gen-3', 'post-0', 'post-1', 'post-2', 'post-3', 'funnel'];

/** Jobs of this test's campaign still known to Slurm (pending or running). */
function liveJobs(name: string): string[] {
  const r = spawnSync('squeue', ['-h', '-r', '-O', 'JobArrayID:|,Name:|,State:'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f[1]?.startsWith(`${name}.`))
    .map((f) => f[0]!.trim());
}

describeSlurm('campaigns on Slurm', () => {
  it('outputs and check are verified inside the job: a fast dependent starts after the check, the next run finds all up to date; a failed check or a missing output holds the dependents', () => {
    const name = `e2e${UNIQUE}v`;
    const stamp = rig.path('check-ends');
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "${name}"
        [campaign.scheduler]
        type = "slurm"
        poll_interval = "1s"
        [campaign.defaults.resources]
        memory = "100M"
        runtime = "5m"
        [campaign.make]
        command = "${TASK} make out=out/make.txt"
        outputs = ["out/make.txt"]
        check = "sleep 2; test -s out/make.txt; s=$?; date +%s%N >> ${stamp}; exit $s"
        [campaign.use]
        command = "${TASK} use"
        depends_on = ["make"]
        [campaign.bad]
        command = "${TASK} bad out=out/bad.txt"
        outputs = ["out/bad.txt"]
        check = ["/bin/sh", "-c", "echo looked at it; exit 3"]
        [campaign.after-bad]
        command = "${TASK} after-bad"
        depends_on = ["bad"]
        [campaign.none]
        command = "${TASK} none"
        outputs = ["out/none-*.txt"]
        [campaign.after-none]
        command = "${TASK} after-none"
        depends_on = ["none"]
      `),
    );
    const r = rig.run(['run', 'c.toml'], { timeout: 240_000 });
    expect(r.code).toBe(1);
    expect(counts(rig)).toEqual({ make: 1, use: 1, bad: 1, none: 1 });
    // The dependent started once the check (inside make's job) had passed.
    const checked = Number(BigInt(rig.read('check-ends').trim()) / 1_000_000n);
    expect(times(rig, 'use')[0]![0]).toBeGreaterThanOrEqual(checked);
    const failed = rig.run(['status', 'c.toml', '--failed']).stdout;
    expect(failed).toContain('bad  failed: check failed (exit code 3)');
    expect(failed).toContain('none  failed: missing output out/none-*.txt');
    expect(failed).toContain('after-bad  skipped: upstream bad failed');
    expect(failed).toContain('after-none  skipped: upstream none failed');
    const checkLog = findFile(rig.path('.campaign'), 'bad.1.check');
    expect(checkLog && readFileSync(checkLog, 'utf8')).toBe('looked at it\n');
    // make and use are recorded in order: nothing of them is stale.
    expect(rig.run(['run', 'c.toml', '--dry-run', '--only', 'make', '--only', 'use']).stdout).toBe(
      'would run 0 of 2 selected tasks (2 up to date)\n',
    );
    expect(liveJobs(name)).toEqual([]);
  }, 300_000);

  it('kill -9 of the head while submitting and while watching: nothing submitted twice, all succeed', async () => {
    const name = `e2e${UNIQUE}d`;
    rig.write('c.toml', campaign(name, 'sleep=2'));
    for (const delay of [150, 1200, 4000]) {
      const head = rig.start(['run', 'c.toml']);
      await new Promise((r) => setTimeout(r, delay));
      head.child.kill('SIGKILL');
      await head.done;
    }
    const last = rig.run(['run', 'c.toml'], { timeout: 240_000 });
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    expect(counts(rig)).toEqual(Object.fromEntries(ALL.map((t) => [t, 1])));
    expect(liveJobs(name)).toEqual([]);
  }, 300_000);
});
