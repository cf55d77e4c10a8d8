import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

// The tc-risk example end to end on the local machine, through the real binary: the seed's
// levels 0-4, its status scan, its task assignments and both of its modes.
const rig = new Rig('campaign-tc-');
afterAll(() => rig.cleanup());

const file = 'tc/campaign.toml';
/** 3 basins x 10 draws: 30 items, dealt into 2 tasks of 15 (chunk = 25). */
const small = ['--set', 'vars.draws=0..9'];
const out = (...p: string[]) => rig.path('tc', 'out', 'cmip6', ...p);
const draw = (basin: string, d: number) => out(basin, 'draws', `draw_${String(d).padStart(3, '0')}`);
/** The lines `--clean-invalid` writes (the file's sge-only options are warned about too). */
const removed = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('removed '));

interface Status {
  totals: Record<string, number>;
  tasks: { id: string; state: string; attempts?: { n: number; state: string }[] }[];
}
/** Each task's attempts, by state, of tasks that have any. */
const states = () => {
  const s = JSON.parse(rig.run(['status', file, ...small, '--json']).stdout) as Status;
  return Object.fromEntries(
    s.tasks.filter((t) => t.attempts?.length).map((t) => [t.id, t.attempts!.map((a) => a.state).join(',')]),
  );
};
const statusFile = (basin: string) => readFileSync(out(basin, 'draw_status.csv'), 'utf8');
const rows = (from: number, to: number, row: (d: number) => string) =>
  Array.from({ length: to - from + 1 }, (_, i) => row(from + i)).join('\n');

beforeAll(() => {
  const produced = new Set(['out', '.campaign']);
  cpSync(join(repo, 'campaigns', 'tc-risk'), rig.path('tc'), {
    recursive: true,
    filter: (src) => !produced.has(basename(src)),
  });
});

describe('the tc-risk example, locally', () => {
  it('lists the task assignments of level 4 as CSV: 250 draws would be 30 tasks, 25 draws here make 3', () => {
    const r = rig.run(['expand', file, 'level4', '--format', 'csv', '--set', 'vars.draws=0..24']);
    expect(r.code).toBe(0);
    const expected = ['task_id,task_index,item,basin,draw'];
    ['EP', 'NA', 'SI'].forEach((basin, k) => {
      for (let d = 0; d < 25; d++)
        expected.push(`level4[chunk-000${k}],${k},${basin}-${String(d).padStart(3, '0')},${basin},${d}`);
    });
    expect(r.stdout).toBe(`${expected.join('\n')}\n`);
  }, 300_000);

  it('runs level 0 alone (--from level0 --until level0): a status file per basin, every draw missing', () => {
    const r = rig.run(['run', file, ...small, '--from', 'level0', '--until', 'level0', '--ui', 'plain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/succeeded: 3 succeeded in /);
    expect(states()).toEqual({
      'level0[EP]': 'succeeded',
      'level0[NA]': 'succeeded',
      'level0[SI]': 'succeeded',
    });
    for (const basin of ['EP', 'NA', 'SI'])
      expect(statusFile(basin)).toBe(
        `draw,netcdf,zarr,status\n${rows(0, 9, (d) => `${d},missing,missing,incomplete`)}\n`,
      );
  }, 300_000);

  it('runs levels 1 to 4 (--from level1 --until level4): every draw in 2 tasks of 15, no summary', () => {
    const r = rig.run(['run', file, ...small, '--from', 'level1', '--until', 'level4', '--ui', 'plain']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ on local: 11 tasks\n/);
    expect(r.stdout).toMatch(/succeeded: 11 succeeded in /);
    const s = states();
    expect(Object.keys(s).length).toBe(14);
    expect(Object.values(s).every((a) => a === 'succeeded')).toBe(true);
    expect(s['level4[chunk-0000]']).toBe('succeeded');
    expect(s['level4[chunk-0001]']).toBe('succeeded');
    expect(s.summary).toBeUndefined();
    expect(existsSync(out('summary.json'))).toBe(false);
    expect(rig.run(['logs', 'level4[chunk-0000]', file, ...small]).stdout).toBe(
      'task 0: 15 draws (EP-000 … NA-004)\n',
    );
    expect(rig.run(['logs', 'level4[chunk-0001]', file, ...small]).stdout).toBe(
      'task 1: 15 draws (NA-005 … SI-009)\n',
    );
    for (const basin of ['EP', 'NA', 'SI']) {
      const files = readdirSync(out(basin, 'draws')).sort();
      expect(files).toEqual(rows(0, 9, (d) => `draw_00${d}.nc\ndraw_00${d}.zarr`).split('\n'));
      expect(readdirSync(`${draw(basin, 0)}.zarr`).sort()).toEqual(['.zarray', '0']);
    }
  }, 300_000);

  it('smart resumable: validates every draw, --clean-invalid deletes the corrupt ones, level 0 reports them', () => {
    writeFileSync(`${draw('EP', 3)}.nc`, 'not a NetCDF file\n'); // bad magic header
    writeFileSync(`${draw('NA', 7)}.zarr/.zarray`, '{"zarr_format": 2, "sha'); // truncated metadata
    rmSync(`${draw('SI', 9)}.zarr`, { recursive: true }); // half a draw: missing, not corrupt
    // What the next run would bundle: only the three incomplete draws, in one task.
    const csv = rig.run(['expand', file, 'level4', ...small, '--format', 'csv']);
    expect(csv.stdout).toBe(
      'task_id,task_index,item,basin,draw\n' +
        'level4[chunk-0000],0,EP-003,EP,3\n' +
        'level4[chunk-0000],0,NA-007,NA,7\n' +
        'level4[chunk-0000],0,SI-009,SI,9\n',
    );
    // The seed's `--starting_level 0 --ending_level 0`: scan, delete what is corrupt, write the status.
    const r = rig.run([
      'run',
      file,
      ...small,
      '--only',
      'level0',
      '--force',
      '--clean-invalid',
      '--ui',
      'plain',
    ]);
    expect(r.code).toBe(0);
    expect(removed(r.stderr)).toEqual([
      'removed invalid level4[EP-003]: out/cmip6/EP/draws/draw_003.nc out/cmip6/EP/draws/draw_003.zarr',
      'removed invalid level4[NA-007]: out/cmip6/NA/draws/draw_007.nc out/cmip6/NA/draws/draw_007.zarr',
    ]);
    expect(existsSync(`${draw('EP', 3)}.nc`)).toBe(false);
    expect(existsSync(`${draw('EP', 3)}.zarr`)).toBe(false);
    expect(existsSync(`${draw('NA', 7)}.zarr`)).toBe(false);
    expect(existsSync(`${draw('SI', 9)}.nc`)).toBe(true);
    const complete = (d: number) => `${d},valid,valid,complete`;
    expect(statusFile('EP')).toBe(
      `draw,netcdf,zarr,status\n${rows(0, 2, complete)}\n3,missing,missing,incomplete\n${rows(4, 9, complete)}\n`,
    );
    expect(statusFile('NA')).toBe(
      `draw,netcdf,zarr,status\n${rows(0, 6, complete)}\n7,missing,missing,incomplete\n${rows(8, 9, complete)}\n`,
    );
    expect(statusFile('SI')).toBe(
      `draw,netcdf,zarr,status\n${rows(0, 8, complete)}\n9,valid,missing,incomplete\n`,
    );
    expect(rig.run(['run', file, ...small, '--clean-invalid', '--dry-run']).stderr).toBe(
      'campaign: --clean-invalid deletes files and --dry-run changes nothing: give one\n',
    );

    // Then levels 1-4: level 0 ran after level 1, so levels 1-3 run again (the campaign trusts no
    // result older than what it depends on); of level 4 only the incomplete draws, in one task.
    const dry = rig.run(['run', file, ...small, '--from', 'level1', '--until', 'level4', '--dry-run']);
    expect(dry.stdout).toBe(
      'would run 10 of 10 selected tasks (0 up to date):\n' +
        ['level1', 'level2', 'level3']
          .flatMap((l) => ['EP', 'NA', 'SI'].map((b) => `  ${`${l}[${b}]`.padEnd(18)}  upstream changed\n`))
          .join('') +
        '  level4[chunk-0000]  changed\n',
    );
    const again = rig.run(['run', file, ...small, '--from', 'level1', '--until', 'level4', '--ui', 'plain']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/succeeded: 10 succeeded in /);
    expect(rig.run(['logs', 'level4[chunk-0000]', file, ...small]).stdout).toBe(
      'task 0: 3 draws (EP-003 … SI-009)\n',
    );
    expect(readdirSync(`${draw('NA', 7)}.zarr`).sort()).toEqual(['.zarray', '0']);
    expect(readFileSync(`${draw('EP', 3)}.nc`, 'latin1').startsWith('CDF\x01\n')).toBe(true);
    // Everything is complete now: level 4 has no task left.
    const csv2 = rig.run(['expand', file, 'level4', ...small, '--format', 'csv']);
    expect(csv2.stdout).toBe('task_id,task_index,item,basin,draw\n');
    // The seed's `--starting_level 3 --ending_level 4` now has nothing to do: level 4 has no task.
    const done = rig.run(['run', file, ...small, '--from', 'level3', '--until', 'level4', '--dry-run']);
    expect(done.stdout).toBe('would run 0 of 0 selected tasks (0 up to date)\n');
    expect(done.code).toBe(0);
  }, 300_000);

  it('run all: skip_complete off and --force reruns every draw in uniform tasks', () => {
    const all = [...small, '--set', 'level4.skip_complete=false'];
    const csv = rig.run(['expand', file, 'level4', ...all, '--format', 'csv']);
    expect(csv.stdout.split('\n').length).toBe(1 + 30 + 1);
    const before = readFileSync(`${draw('EP', 0)}.nc`, 'latin1');
    rmSync(`${draw('EP', 0)}.nc`);
    const r = rig.run(['run', file, ...all, '--only', 'level4', '--force', '--ui', 'plain']);
    expect(r.stdout.split('\n').filter((l) => /failed|skipped/.test(l))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 2 tasks\n/);
    expect(r.stdout).toMatch(/succeeded: 2 succeeded in /);
    expect(rig.run(['logs', 'level4[chunk-0000]', file, ...all]).stdout).toBe(
      'task 0: 15 draws (EP-000 … NA-004)\n',
    );
    expect(rig.run(['logs', 'level4[chunk-0001]', file, ...all]).stdout).toBe(
      'task 1: 15 draws (NA-005 … SI-009)\n',
    );
    // The same draw, rewritten: its seed is the item's, so the numbers are the same.
    expect(readFileSync(`${draw('EP', 0)}.nc`, 'latin1')).toBe(before);
  }, 300_000);
});
