import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

// The batch re-assembly example, run three times through the real binary (the second run
// fails one experiment); collect then gives exactly the rows of the two completed runs.
const rig = new Rig('campaign-collect-');
afterAll(() => rig.cleanup());

const file = 'br/campaign.toml';
const small = ['--set', 'vars.samples=2', '--set', 'vars.reps=1'];
let r1 = '';
let r2 = '';
let r3 = '';

beforeAll(() => {
  cpSync(join(repo, 'campaigns/batch-reassembly'), rig.path('br'), {
    recursive: true,
    filter: (p) => !p.includes('.campaign') && !p.includes('/results'),
  });
  const first = rig.run(['run', file, '--ui', 'plain', ...small]);
  expect(first.code, first.stderr).toBe(0);
  const second = rig.run([
    'run',
    file,
    '--ui',
    'plain',
    '--force',
    ...small,
    '--set',
    'vars.fail=response-noise',
  ]);
  expect(second.code).toBe(1);
  const third = rig.run(['run', file, '--ui', 'plain', '--force', ...small]);
  expect(third.code, third.stderr).toBe(0);
  const listed = rig.run(['runs', file, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  const runs = JSON.parse(listed.stdout) as { id: string; status: string }[];
  expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded']);
  [r1, r2, r3] = runs.map((r) => r.id) as [string, string, string];
});

describe('the batch re-assembly example', () => {
  it('names every results file after its assembly', () => {
    for (const r of [r1, r2, r3]) {
      expect(
        existsSync(
          rig.path(`br/results/01_v1_batch-parameter-distortion/parameter_distortion_results_${r}.csv`),
        ),
      ).toBe(true);
      for (const noise of ['0.1', '0.2', '0.5'])
        expect(
          existsSync(
            rig.path(`br/results/02_v1_batch-expression-noise/expression_noise_results_${r}_${noise}.jsonl`),
          ),
        ).toBe(true);
    }
    // The failed experiment left only its partial file, never the results file.
    expect(
      existsSync(rig.path(`br/results/03_v1_batch-response-noise/response_noise_results_${r2}.json`)),
    ).toBe(false);
    expect(
      existsSync(rig.path(`br/results/03_v1_batch-response-noise/response_noise_results_${r2}.json.partial`)),
    ).toBe(true);
  });

  it('a plain run after a completed assembly has nothing to do: {run} does not make work look changed', () => {
    const r = rig.run(['run', file, '--dry-run', ...small]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('would run 0 of 5 selected tasks (5 up to date)');
  });

  it('collects the CSV rows of the two completed runs, tagged, in order; the failed run is left out', () => {
    const r = rig.run(['collect', file, 'parameter-distortion', '--out', 'all.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`collect: left out ${r2}: the run failed\ncollect: 2 runs, 2 files -> all.csv\n`);
    expect(rig.read('all.csv')).toBe(
      [
        'run,sample,rep,perturbation,response',
        `${r1},0,0,1.5,0.765`,
        `${r1},1,0,1.5,1.515`,
        `${r3},0,0,1.5,0.795`,
        `${r3},1,0,1.5,1.545`,
        '',
      ].join('\n'),
    );
  });

  it('collects JSON Lines of a fan-out: every instance file of each run, in task order', () => {
    const r = rig.run(['collect', file, 'expression-noise']);
    expect(r.code).toBe(0);
    const row = (run: string, s: number, noise: number, response: number) =>
      `{"run":"${run}","sample":${s},"rep":0,"perturbation":${noise},"response":${response}}`;
    expect(r.stdout).toBe(
      [
        row(r1, 0, 0.1, 0.61),
        row(r1, 1, 0.1, 1.11),
        row(r1, 0, 0.2, 0.71),
        row(r1, 1, 0.2, 1.21),
        row(r1, 0, 0.5, 1.01),
        row(r1, 1, 0.5, 1.51),
        row(r3, 0, 0.1, 0.63),
        row(r3, 1, 0.1, 1.13),
        row(r3, 0, 0.2, 0.73),
        row(r3, 1, 0.2, 1.23),
        row(r3, 0, 0.5, 1.03),
        row(r3, 1, 0.5, 1.53),
        '',
      ].join('\n'),
    );
  });

  it('collects JSON arrays into one array', () => {
    const r = rig.run(['collect', file, 'response-noise']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '[',
        `{"run":"${r1}","sample":0,"rep":0,"perturbation":0.1,"response":0.61},`,
        `{"run":"${r1}","sample":1,"rep":0,"perturbation":0.1,"response":1.11},`,
        `{"run":"${r3}","sample":0,"rep":0,"perturbation":0.1,"response":0.63},`,
        `{"run":"${r3}","sample":1,"rep":0,"perturbation":0.1,"response":1.13}`,
        ']',
        '',
      ].join('\n'),
    );
  });

  it('--runs all takes the node from every run it succeeded in, the failed one too', () => {
    const all = rig.run(['collect', file, 'parameter-distortion', '--runs', 'all']);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').map((l) => l.split(',')[0])).toEqual(['run', r1, r1, r2, r2, r3, r3, '']);
    const failed = rig.run(['collect', file, 'response-noise', '--runs', 'all']);
    expect(failed.stderr).toBe(
      `collect: left out ${r2}: \`response-noise\` did not succeed in it\ncollect: 2 runs, 2 files\n`,
    );
  });

  it('--runs RUN... takes the runs named, by id or by number', () => {
    const r = rig.run(['collect', file, 'parameter-distortion', '--runs', `run003,${r1}`]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.split(',')[0])).toEqual(['run', r1, r1, r3, r3, '']);
    const unknown = rig.run(['collect', file, 'parameter-distortion', '--runs', 'run009']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^error: there is no run `run009` \[unknown-run\]\n {2}help: did you mean `\d{8}_\d{6}_run00\d`\? \(campaign runs lists them\)\n$/,
    );
    const none = rig.run(['collect', file, 'response-noise', '--runs', 'run002']);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      [
        `error: the files of run ${r2} are missing: ${r2} [files-missing]`,
        `  note: ${r2}: \`response-noise\` did not succeed in this run, it has no files`,
        '  help: leave those runs out with --runs RUN..., or run the node again',
        '',
      ].join('\n'),
    );
  });

  it('feeds the files to a user command in run order (--format cmd)', () => {
    const r = rig.run([
      'collect',
      file,
      'response-noise',
      '--format',
      'cmd',
      '--',
      'node',
      'br/bin/summarize.mjs',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${r1},2,0.8600\n${r3},2,0.8800\n`);
  });
});
