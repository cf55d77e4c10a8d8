import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { assertSlurm, describeSlurm, UNIQUE } from '../slurm/helpers.js';
import { copySo, fitsHeader, seedSets } from './so-rig.js';

const rig = new Rig('campaign-so-slurm-');
afterAll(() => rig.cleanup());

interface Status {
  totals: Record<string, number>;
  tasks: {
    id: string;
    state: string;
    attempts: { n: number; state: string; where?: { job?: string; host?: string } }[];
  }[];
}

/** Jobs of this campaign Slurm still knows (pending or running). */
const liveJobs = (name: string) =>
  spawnSync('squeue', ['-h', '-r', '-O', 'JobArrayID:|,Name:|'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f[1]?.startsWith(`${name}.`))
    .map((f) => f[0]!.trim());

describeSlurm("the seed's own TOML on the real local Slurm, as the seed ran", () => {
  beforeAll(assertSlurm);

  it('runs every split as a job array with the typed estimates as requests; a split that failed reruns alone', () => {
    const dir = copySo(rig);
    rig.write('once/.keep', '');
    const name = `so${UNIQUE}`;
    const sets = [
      ...seedSets(dir, name),
      ...['scheduler.type=slurm', 'scheduler.poll_interval=1s'].flatMap((s) => ['--set', s]),
      // The second mission split fails the first time it runs.
      ...['SO_FAKE=fail', 'SO_FAKE_MATCH=mission_split_2', `SO_FAKE_ONCE=${rig.path('once')}`].flatMap(
        (e) => ['--set', `ml-null-tests.env.${e}`],
      ),
    ];
    const r = rig.run(['run', 'so/seed.toml', ...sets, '--ui', 'plain'], { timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ of \S+ on slurm: 5 tasks\n/);
    expect(r.stdout).toMatch(/\] queued {5}ml-null-tests\.mission-tests\[split-2\] \(job \d+_1\)\n/);
    expect(r.stdout).toContain('failed     ml-null-tests.mission-tests[split-2]: exit code 3');
    expect(r.stdout).toMatch(/\] failed: 4 succeeded, 1 failed in /);

    // The requests are the workflow types' estimates (the seed sets no resources).
    const runs = join(dir, '.campaign', 'seed', 'runs');
    const [first] = readdirSync(runs);
    const scripts = readdirSync(join(runs, first!, 'slurm')).filter((f) => f.endsWith('.sh'));
    const mem = scripts.map(
      (f) => /#SBATCH --mem=(\S+)/.exec(readFileSync(join(runs, first!, 'slurm', f), 'utf8'))![1],
    );
    expect(mem.sort()).toEqual(['101M', '379M', '482M']);

    const again = rig.run(['run', 'so/seed.toml', ...sets, '--ui', 'plain'], { timeout: 300_000 });
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/ on slurm: 5 tasks, 4 up to date\n/);
    expect(again.stdout).toMatch(/\] succeeded {2}ml-null-tests\.mission-tests\[split-2\] in /);
    // Only the failed split was handed to Slurm again.
    expect(again.stdout.split('\n').filter((l) => / started {4}/.test(l))).toEqual([
      expect.stringMatching(/\] started {4}ml-null-tests\.mission-tests\[split-2\] \(job \d+\)$/),
    ]);
    expect(again.stdout).toMatch(/\] succeeded: 5 succeeded in /);

    const s = JSON.parse(rig.run(['status', 'so/seed.toml', ...sets, '--json']).stdout) as Status;
    expect(s.totals).toMatchObject({ succeeded: 5, failed: 0 });
    const split2 = s.tasks.find((t) => t.id === 'ml-null-tests.mission-tests[split-2]')!;
    expect(split2.attempts.map((a) => a.state)).toEqual(['failed', 'succeeded']);
    for (const t of s.tasks) expect(t.attempts.at(-1)!.where?.job).toMatch(/^\d+(_\d+)?$/);
    expect(fitsHeader(join(dir, 'out/null/mission_split_2/sky_map.fits')).NOBS).toBe('8');
    expect(liveJobs(name)).toEqual([]);
  }, 600_000);
});
