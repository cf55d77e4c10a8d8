import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';
import { assertSge, describeSge } from '../sge/helpers.js';

const rig = new Rig('campaign-tc-sge-');
afterAll(() => rig.cleanup());

interface Status {
  totals: Record<string, number>;
  tasks: { id: string; state: string; attempts: { n: number; state: string; where?: string }[] }[];
}

describeSge("the tc-risk example on the local Grid Engine, with the seeds' queue and project", () => {
  beforeAll(assertSge);

  it('runs every level as Grid Engine jobs in all.q under proj_rapidresponse, each task once', () => {
    const produced = new Set(['out', '.campaign']);
    cpSync(join(repo, 'campaigns', 'tc-risk'), rig.path('tc'), {
      recursive: true,
      filter: (src) => !produced.has(basename(src)),
    });
    const set = ['--set', 'scheduler.type=sge'];
    const r = rig.run(['run', 'tc/campaign.toml', ...set, '--ui', 'plain'], { timeout: 600_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ on sge: 19 tasks\n/);
    expect(r.stdout).toMatch(/succeeded: 19 succeeded in /);

    // Every submission went to the seeds' queue and project.
    const runs = rig.path('tc', '.campaign', 'campaign', 'runs');
    const [run] = readdirSync(runs);
    const scripts = readdirSync(join(runs, run!, 'sge')).filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const f of scripts) {
      const text = readFileSync(join(runs, run!, 'sge', f), 'utf8');
      expect(text).toMatch(/qsub -terse .* -q all\.q -P proj_rapidresponse /);
    }

    // Each task ran once, as a Grid Engine job, and nothing of the run is left in the queue.
    const s = JSON.parse(rig.run(['status', 'tc/campaign.toml', ...set, '--json']).stdout) as Status;
    expect(s.totals.succeeded).toBe(19);
    for (const t of s.tasks) {
      expect(t.attempts.map((a) => a.state)).toEqual(['succeeded']);
    }
    const q = spawnSync('qstat', ['-u', '*', '-r'], { encoding: 'utf8' });
    expect(q.stdout).not.toContain(`tc-risk.${run}`);

    // A second run finds every draw complete: nothing to hand over.
    // (It runs each draw's check once more: it may take a while on a loaded machine.)
    const again = rig.run(['run', 'tc/campaign.toml', ...set, '--dry-run'], { timeout: 300_000 });
    expect(again.stderr).toBe('');
    expect(again.stdout).toBe('would run 0 of 13 selected tasks (13 up to date)\n');
  }, 900_000);

  it('smart resumable on Grid Engine: --clean-invalid deletes a corrupt draw, one job redoes only it', () => {
    const set = ['--set', 'scheduler.type=sge'];
    const stem = rig.path('tc', 'out', 'cmip6', 'NA', 'draws', 'draw_042');
    writeFileSync(`${stem}.nc`, 'CDF\x01\n{"storms": "many"}\n');
    const r = rig.run(
      [
        'run',
        'tc/campaign.toml',
        ...set,
        '--from',
        'level3',
        '--until',
        'level4',
        '--clean-invalid',
        '--ui',
        'plain',
      ],
      { timeout: 600_000 },
    );
    expect(r.stderr).toBe(
      'removed invalid level4[NA-042]: out/cmip6/NA/draws/draw_042.nc out/cmip6/NA/draws/draw_042.zarr\n',
    );
    expect(r.code).toBe(0);
    // The one chunk, and the one level-3 task its draw depends on (up to date).
    expect(r.stdout).toMatch(/ on sge: 2 tasks, 1 up to date\n/);
    expect(r.stdout).toMatch(/succeeded: 2 succeeded in /);
    expect(rig.run(['logs', 'level4[chunk-0000]', 'tc/campaign.toml', ...set]).stdout).toBe(
      'task 0: 1 draws (NA-042 … NA-042)\n',
    );
    expect(readFileSync(`${stem}.nc`, 'latin1')).toMatch(
      /^CDF\x01\n\{"basin":"NA","draw":42,"storms":[0-9]+,/,
    );
    expect(existsSync(`${stem}.zarr/.zarray`)).toBe(true);
  }, 900_000);

  it('run all on Grid Engine: skip_complete off and --force make the 6 uniform tasks of 25 draws', () => {
    const set = ['--set', 'scheduler.type=sge', '--set', 'level4.skip_complete=false'];
    const r = rig.run(['run', 'tc/campaign.toml', ...set, '--only', 'level4', '--force', '--ui', 'plain'], {
      timeout: 600_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ on sge: 6 tasks\n/);
    expect(r.stdout).toMatch(/succeeded: 6 succeeded in /);
    const basins = ['EP', 'EP', 'NA', 'NA', 'SI', 'SI'];
    for (let k = 0; k < 6; k++) {
      const first = `${basins[k]}-${k % 2 === 0 ? '000' : '025'}`;
      const last = `${basins[k]}-${k % 2 === 0 ? '024' : '049'}`;
      expect(rig.run(['logs', `level4[chunk-000${k}]`, 'tc/campaign.toml', ...set]).stdout).toBe(
        `task ${k}: 25 draws (${first} … ${last})\n`,
      );
    }
  }, 900_000);
});
