import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';
import { mask } from './helpers.js';

const rig = new Rig();
afterAll(() => rig.cleanup());

describe('the README example', () => {
  it('runs the SO mapmaking campaign end to end, then resumes with nothing to do', () => {
    cpSync(join(repo, 'campaigns/so-mapmaking'), rig.path('so'), {
      recursive: true,
      filter: (p) => !p.includes('.campaign') && !p.endsWith('/out'),
    });
    const r = rig.run(['run', 'so/campaign.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(
      mask(r.stdout, rig)
        .split('\n')
        .filter((l) => l.includes('succeeded')),
    ).toEqual([
      '[t] succeeded  ml-mapmaking in Ns',
      expect.stringMatching(/^\[t\] succeeded {2}ml-null-tests\.(mission|wafer)-tests in Ns$/),
      expect.stringMatching(/^\[t\] succeeded {2}ml-null-tests\.(mission|wafer)-tests in Ns$/),
      '[t] succeeded  report in Ns',
      '[t] succeeded: 4 succeeded in Ns',
    ]);
    const report = readFileSync(rig.path('so/out/report.txt'), 'utf8');
    expect(report).toMatch(
      /^mission\tnsplits=4\tpixels=16\tchi2=\d+\.\d\d\nwafer\tnsplits=4\tpixels=16\tchi2=\d+\.\d\d\n$/,
    );

    // The run's pino log is in the state directory.
    const runs = readdirSync(rig.path('so/.campaign/campaign/runs'));
    const log = readFileSync(rig.path('so/.campaign/campaign/runs', runs[0]!, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; run: string; id?: string });
    expect(
      log
        .filter((l) => l.event === 'task.succeeded')
        .map((l) => l.id)
        .sort(),
    ).toEqual(['ml-mapmaking', 'ml-null-tests.mission-tests', 'ml-null-tests.wafer-tests', 'report']);
    expect(log.every((l) => l.run === runs[0])).toBe(true);

    const again = rig.run(['run', 'so/campaign.toml']);
    expect(mask(again.stdout, rig)).toBe(
      '[t] run RUN002 of so-mapmaking on local: 4 tasks, 4 up to date\n[t] nothing to do: 4 up to date\n',
    );
    const rows = rig
      .run(['runs', 'so/campaign.toml'])
      .stdout.trim()
      .split('\n')
      .map((l) => l.split(/ {2,}/));
    expect(rows[0]).toEqual(['RUN', 'STARTED', 'ENDED', 'STATUS', 'TASKS', 'WHO', 'WHY']);
    expect(rows.slice(1).map((r) => [r[0]!.replace(/^\d{8}_\d{6}_/, ''), r[3], r[4]])).toEqual([
      ['run001', 'succeeded', '4 succeeded'],
      ['run002', 'succeeded', '4 succeeded'],
    ]);
  });
});
