import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellWord } from '../../src/schedulers/batch/quote.js';
import type { Submission } from '../../src/schedulers/contract.js';
import { judge, parseResult } from '../../src/schedulers/launcher/result.js';
import { arraySpec } from '../../src/schedulers/slurm/array-spec.js';
import { slurmDuration } from '../../src/schedulers/slurm/directives.js';
import { renderScript, type ScriptInput } from '../../src/schedulers/slurm/script.js';
import { files, scriptSubmission } from '../batch/script-submission.js';
import { RES } from './helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const WEIRD = `/scratch/my campaign/it's "here"`;

const submission = (
  root: string,
  task: string,
  command: Submission['command'],
  extra: Partial<Submission> = {},
) => scriptSubmission(RES, root, task, command, extra);

/** The scripts the golden files hold: one plain job with every directive, two arrays. */
function cases(root: string): Record<string, ScriptInput> {
  const single = submission(root, 'reduce', ['python3', 'reduce.py', '--title', `it's "done"`, '$HOME'], {
    env: { CAMPAIGN_NAME: 'demo', CAMPAIGN_TASK_ID: 'reduce', NOTE: 'a $b `c` "d"\nsecond line' },
  });
  const array = ['a-0', 'a-1', 'a-2'].map((t, i) =>
    submission(root, t, `echo "seed ${i}" > 'out ${i}.txt' && test ${i} -ne 2`, {
      env: { CAMPAIGN_NAME: 'demo', CAMPAIGN_TASK_ID: t, CAMPAIGN_TASK_INDEX: String(i) },
    }),
  );
  const mixed = [
    submission(root, 'm-0', ['true'], { workdir: `${root}/w one` }),
    submission(root, 'm-1', 'exit 0', { workdir: `${root}/w two`, env: { ONLY: 'here' } }),
  ];
  const verified = [
    submission(root, 'v-0', ['make', 'map'], {
      verify: {
        outputs: ['out/map.fits', `out/it's "odd" $(x).txt`, 'out/**/*.{nc,h5}'],
        check: 'test -s out/map.fits',
      },
    }),
    submission(root, 'v-1', ['make', 'map'], {
      verify: { outputs: [], check: ['python3', 'check.py', '--strict'] },
    }),
    submission(root, 'v-2', ['make', 'map']),
  ];
  const common = { campaign: 'demo', runId: '20240501-1200-ab12', dir: `${root}/runs/r1/slurm` };
  return {
    'single.sh': {
      ...common,
      token: 'f00d01-1',
      jobName: 'demo.20240501-1200-ab12.f00d01-1',
      request: {
        resources: { ...RES, cores: 4, threads: 4, memory: 4096, gpus: 1 },
        options: {
          partition: 'gpu',
          account: 'proj-42',
          qos: 'normal',
          directives: ['--constraint=haswell', '#SBATCH --exclusive'],
        },
        limit: 5401,
      },
      setup: ['module load gcc/12 2>/dev/null', `. ${shellWord(`${root}/venv/bin/activate`)}`],
      tasks: [{ index: 0, submission: single }],
      dependency: 'afterok:100:101_3',
    },
    'array.sh': {
      ...common,
      token: 'f00d01-2',
      jobName: 'demo.20240501-1200-ab12.f00d01-2',
      request: { resources: { ...RES, cores: 16, ranks: 8, threads: 2, nodes: 2 }, options: {}, limit: 60 },
      setup: [],
      tasks: array.map((submission, index) => ({ index, submission })),
      array: arraySpec([0, 1, 2], 2),
      dependency: 'aftercorr:200',
    },
    'mixed.sh': {
      ...common,
      token: 'f00d01-3',
      jobName: 'demo.20240501-1200-ab12.f00d01-3',
      request: { resources: RES, options: {} },
      setup: [],
      tasks: mixed.map((submission, i) => ({ index: i * 5, submission })),
      array: arraySpec([0, 5]),
    },
    'verify.sh': {
      ...common,
      token: 'f00d01-4',
      jobName: 'demo.20240501-1200-ab12.f00d01-4',
      request: { resources: RES, options: {} },
      setup: [],
      tasks: verified.map((submission, index) => ({ index, submission })),
      array: arraySpec([0, 1, 2]),
      verifier: {
        node: '/opt/node 20/bin/node',
        script: '/opt/campaign/dist/schedulers/slurm/verify-outputs.js',
      },
    },
  };
}

describe('batch scripts', () => {
  it.each(Object.keys(cases(WEIRD)))('%s matches its golden file', (name) => {
    const text = renderScript(cases(WEIRD)[name]!);
    const golden = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('formats limits as D-HH:MM:SS rounded up to minutes, and array lists as ranges', () => {
    expect([1, 60, 61, 3600, 5401, 86_400 + 59].map(slurmDuration)).toEqual([
      '0-00:01:00',
      '0-00:01:00',
      '0-00:02:00',
      '0-01:00:00',
      '0-01:31:00',
      '1-00:01:00',
    ]);
    expect(arraySpec([5, 0, 1, 2, 9, 7, 8], 3)).toBe('0-2,5,7-9%3');
  });
});

describe('generated scripts run with bash, outside Slurm', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'slurm-script-'));
  const root = join(tmp, `it's a "dir" with spaces`);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function runIndex(script: string, index: number) {
    return spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, SLURM_ARRAY_TASK_ID: String(index) },
    });
  }

  it('selects the task by index; argv, env and paths reach the task unexpanded', () => {
    const all = cases(root);
    mkdirSync(`${root}/work`, { recursive: true });
    mkdirSync(`${root}/w one`, { recursive: true });
    mkdirSync(`${root}/w two`, { recursive: true });
    mkdirSync(`${root}/venv/bin`, { recursive: true });
    writeFileSync(`${root}/venv/bin/activate`, 'export ACTIVATED=yes\necho setup-ran\n');
    // The golden single job with a command that shows what it got.
    const single = all['single.sh']!;
    const probe = {
      ...single,
      tasks: [
        {
          index: 0,
          submission: {
            ...single.tasks[0]!.submission,
            command: [
              '/bin/sh',
              '-c',
              'printf "%s|" "$@"; printf "%s|%s|%s" "$NOTE" "$ACTIVATED" "$PWD"',
              'sh',
              `it's "done"`,
              '$HOME',
              '',
            ],
          },
        },
      ],
    };
    const script = join(tmp, 'single.sh');
    writeFileSync(script, renderScript(probe));
    const r = runIndex(script, 0);
    expect(r.status, r.stderr).toBe(0);
    const f = files(root, 'reduce');
    expect(readFileSync(f.out, 'utf8')).toBe(
      `setup-ran\nit's "done"|$HOME||a $b \`c\` "d"\nsecond line|yes|${root}/work`,
    );
    const result = parseResult(readFileSync(f.result, 'utf8'));
    expect(result).toMatchObject({ exit: 0, signal: 0 });
    expect(result!.startMs).toBeGreaterThan(Date.now() - 60_000);
    expect(result!.maxRssKiB ?? 1).toBeGreaterThan(0);

    const array = join(tmp, 'array.sh');
    writeFileSync(array, renderScript(all['array.sh']!));
    for (const i of [0, 1, 2]) {
      const run = runIndex(array, i);
      expect(run.status).toBe(i === 2 ? 1 : 0);
      expect(readFileSync(join(root, 'work', `out ${i}.txt`), 'utf8')).toBe(`seed ${i}\n`);
      expect(parseResult(readFileSync(files(root, `a-${i}`).result, 'utf8'))).toMatchObject({
        exit: i === 2 ? 1 : 0,
      });
    }

    const mixed = join(tmp, 'mixed.sh');
    writeFileSync(mixed, renderScript(all['mixed.sh']!));
    expect(runIndex(mixed, 5).status).toBe(0);
    expect(existsSync(files(root, 'm-1').result)).toBe(true);
    expect(existsSync(files(root, 'm-0').result)).toBe(false);
    expect(runIndex(mixed, 3).status).toBe(3);
  });

  it('records a signal, and the exit code of a command that is not found', () => {
    const s = (task: string, command: Submission['command']) =>
      submission(root, task, command, { workdir: root });
    const input: ScriptInput = {
      campaign: 'demo',
      runId: 'r',
      token: 't-1',
      jobName: 'demo.r.t-1',
      dir: join(root, 'slurm'),
      request: { resources: RES, options: {} },
      setup: [],
      tasks: [
        { index: 0, submission: s('killed', 'kill -9 $$') },
        { index: 1, submission: s('missing', ['/no/such program']) },
      ],
      array: '0-1',
    };
    const script = join(tmp, 'signals.sh');
    writeFileSync(script, renderScript(input));
    expect(runIndex(script, 0).status).toBe(137);
    expect(parseResult(readFileSync(files(root, 'killed').result, 'utf8'))).toMatchObject({
      exit: -1,
      signal: 9,
    });
    runIndex(script, 1);
    expect(parseResult(readFileSync(files(root, 'missing').result, 'utf8'))).toMatchObject({
      exit: 127,
      signal: 0,
    });
  });
});

describe('verification inside the job, run with bash outside Slurm', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'slurm-verify-'));
  const root = join(tmp, `it's "verified"`);
  const work = join(root, 'work');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** Runs one task of a generated script; its result line, judged, and the job's exit status. */
  function verifyRun(
    task: string,
    command: Submission['command'],
    verify: Submission['verify'],
    verifier?: ScriptInput['verifier'],
  ) {
    mkdirSync(work, { recursive: true });
    const s = submission(root, task, command, verify ? { verify } : {});
    const script = join(tmp, `${task}.sh`);
    writeFileSync(
      script,
      renderScript({
        campaign: 'demo',
        runId: 'r',
        token: task,
        jobName: `demo.r.${task}`,
        dir: join(root, 'slurm'),
        request: { resources: RES, options: {} },
        setup: [],
        tasks: [{ index: 0, submission: s }],
        ...(verifier ? { verifier } : {}),
      }),
    );
    const r = spawnSync('bash', [script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    const result = parseResult(readFileSync(s.files.result, 'utf8'))!;
    return { status: r.status, result, judged: judge(result), files: s.files };
  }

  it('outputs by the engine’s own rules: globs, ** and braces, relative to the workdir; all present is verified', () => {
    const r = verifyRun('ok', 'mkdir -p out/a/b && touch out/map.fits out/a/b/x.h5', {
      outputs: ['out/map.fits', 'out/**/*.{nc,h5}', `${work}/out/a`],
    });
    expect(r.status).toBe(0);
    expect(r.result).toMatchObject({ exit: 0, verify: 'ok' });
    expect(r.judged).toEqual({ outcome: expect.objectContaining({ exitCode: 0, verified: true }) });
  });

  it('missing outputs fail the job with their names, whatever characters they hold; none becomes shell code', () => {
    const odd = `out/it's "odd" $(touch pwned) ;x.txt`;
    const r = verifyRun('missing', 'mkdir -p out && touch out/here.txt', {
      outputs: ['out/here.txt', odd, 'out/*.nc'],
      check: `touch ${shellWord(join(work, 'check-ran'))}`,
    });
    expect(r.status).toBe(1);
    expect(r.result).toMatchObject({ exit: 0, verify: 'outputs', missing: [odd, 'out/*.nc'] });
    expect(r.judged).toMatchObject({ failure: 'outputs', message: `missing outputs ${odd}, out/*.nc` });
    expect(r.judged.outcome.verified).toBeUndefined();
    expect(existsSync(join(work, 'pwned'))).toBe(false);
    // The check runs only once the outputs are there, as in the engine.
    expect(existsSync(join(work, 'check-ran'))).toBe(false);
  });

  it('a failing check fails the job with its exit code; its output goes to the attempt’s .check file', () => {
    const r = verifyRun('check', 'true', {
      outputs: [],
      check: 'echo checking "$PWD"; echo bad >&2; exit 3',
    });
    expect(r.status).toBe(3);
    expect(r.result).toMatchObject({ exit: 0, verify: 'check', checkExit: 3 });
    expect(r.judged).toMatchObject({ failure: 'check', message: 'check failed (exit code 3)' });
    expect(readFileSync(r.files.err.replace(/\.err$/, '.check'), 'utf8')).toBe(`checking ${work}\nbad\n`);
    const argv = verifyRun('check-argv', 'true', { outputs: [], check: ['/bin/sh', '-c', 'exit 0', `it's`] });
    expect(argv.status).toBe(0);
    expect(argv.judged.outcome.verified).toBe(true);
  });

  it('a failing command is not verified; where node cannot run, the head verifies', () => {
    const failed = verifyRun('failed', 'exit 4', { outputs: ['nothing'] });
    expect(failed.status).toBe(4);
    expect(failed.result.verify).toBeUndefined();
    expect(failed.judged).toMatchObject({ failure: 'failed', message: 'exit code 4' });
    const away = verifyRun(
      'away',
      'true',
      { outputs: ['nothing'], check: `touch ${shellWord(join(work, 'away-check'))}` },
      { node: '/no/such/node', script: '/no/such/verifier.js' },
    );
    expect(away.status).toBe(0);
    expect(away.result.verify).toBe('unavailable');
    expect(away.judged).toEqual({ outcome: expect.not.objectContaining({ verified: true }) });
    expect(existsSync(join(work, 'away-check'))).toBe(false);
  });
});
