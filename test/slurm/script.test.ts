import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../src/schedulers/contract.js';
import { parseResult } from '../../src/schedulers/local/launcher.js';
import { arraySpec } from '../../src/schedulers/slurm/array-spec.js';
import { slurmDuration } from '../../src/schedulers/slurm/directives.js';
import { shellWord } from '../../src/schedulers/slurm/quote.js';
import { renderScript, type ScriptInput } from '../../src/schedulers/slurm/script.js';
import { RES } from './helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const WEIRD = `/scratch/my campaign/it's "here"`;

function files(root: string, task: string, attempt = 1): Submission['files'] {
  const base = `${root}/runs/r1/tasks/${task}/${attempt}`;
  return { out: `${base}.out`, err: `${base}.err`, result: `${base}.result` };
}

function submission(
  root: string,
  task: string,
  command: Submission['command'],
  extra: Partial<Submission> = {},
): Submission {
  return {
    taskId: task,
    attempt: 1,
    command,
    setup: [],
    env: { CAMPAIGN_NAME: 'demo', CAMPAIGN_TASK_ID: task },
    workdir: `${root}/work`,
    resources: RES,
    options: {},
    files: files(root, task),
    jobName: `demo.${task}`,
    ...extra,
  };
}

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
