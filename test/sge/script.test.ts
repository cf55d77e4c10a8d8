import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shWord } from '../../src/schedulers/batch/quote.js';
import type { Handle, Submission } from '../../src/schedulers/contract.js';
import { parseResult } from '../../src/schedulers/launcher/result.js';
import { qsubArgv } from '../../src/schedulers/sge/argv.js';
import type { Group } from '../../src/schedulers/sge/group.js';
import { jobName } from '../../src/schedulers/sge/job-name.js';
import { type SiteOptions, sgeDuration } from '../../src/schedulers/sge/request.js';
import { renderScript, type ScriptInput } from '../../src/schedulers/sge/script.js';
import { files, scriptSubmission } from '../batch/script-submission.js';
import { RES } from './helpers.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const WEIRD = `/scratch/my campaign/it's "here"`;
const SITE: SiteOptions = { pe: 'smp', killGrace: 10 };

const submission = (
  root: string,
  task: string,
  command: Submission['command'],
  extra: Partial<Submission> = {},
) => scriptSubmission(RES, root, task, command, extra);

const up = (root: string, task: string, jobId: string, arrayIndex?: number): Handle => ({
  taskId: task,
  attempt: 1,
  jobId,
  ...(arrayIndex !== undefined ? { arrayIndex } : {}),
  files: files(root, task),
});

/** A group as the submitter makes it, its qsub argv and its script. */
function script(
  root: string,
  token: string,
  g: Group,
  after?: string,
  extra: Partial<ScriptInput> = {},
): string {
  const dir = `${root}/runs/r1/sge`;
  const name = jobName('demo', '20240501-1200-ab12', token);
  const argv = qsubArgv(g, {
    name,
    dir,
    script: `${dir}/${token}.sh`,
    site: SITE,
    resultGrace: 10,
    extra: [],
  });
  if (!argv.ok) throw new Error(argv.message);
  return renderScript({
    campaign: 'demo',
    runId: '20240501-1200-ab12',
    token,
    qsub: ['qsub', ...argv.argv],
    setup: g.setup,
    tasks: g.members.map((m) => ({
      index: m.index,
      submission: m.submission,
      upstreams: after ? [] : m.after.map((h) => h.files.result),
    })),
    ...(after ? { after } : {}),
    ...(g.request.limit !== undefined ? { limit: g.request.limit } : {}),
    killGrace: SITE.killGrace,
    resultGrace: 10,
    verifier: {
      node: '/opt/node 20/bin/node',
      script: '/opt/campaign/dist/schedulers/slurm/verify-outputs.js',
    },
    ...extra,
  });
}

function group(
  subs: readonly Submission[],
  wait: Group['wait'],
  after: Handle[][] = [],
  size?: number,
): Group {
  const s = subs[0]!;
  const array = subs.length > 1 || wait.kind === 'ad';
  return {
    request: {
      resources: s.resources,
      options: s.options,
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
    },
    setup: s.setup,
    ...(s.throttle ? { throttle: s.throttle.max } : {}),
    wait,
    array,
    size: size ?? subs.length,
    members: subs.map((submission, i) => ({
      position: i,
      index: wait.kind === 'ad' ? after[i]![0]!.arrayIndex! : i + 1,
      submission,
      after: after[i] ?? [],
    })),
  };
}

/** The scripts the golden files hold: a plain job with every option, an -hold_jid_ad array, a funnel. */
function cases(root: string): Record<string, string> {
  const single = submission(root, 'reduce', ['python3', 'reduce.py', '--title', `it's "done"`, '$HOME'], {
    env: { CAMPAIGN_NAME: 'demo', CAMPAIGN_TASK_ID: 'reduce', NOTE: 'a $b `c` "d"\nsecond line' },
    resources: { ...RES, cores: 4, memory: 4096 },
    options: {
      queue: 'long.q',
      project: 'proj-42',
      account: 'acct',
      directives: ['-l scratch=10G', '#$ -m n'],
    },
    limit: 5401,
    setup: ['module load gcc/12 2>/dev/null', `. ${shWord(`${root}/venv/bin/activate`)}`],
    verify: { outputs: ['out/map.fits', `out/it's "odd" $(x).txt`], check: 'test -s out/map.fits' },
  });
  const array = ['a-0', 'a-1', 'a-2'].map((t, i) =>
    submission(root, t, `echo "seed ${i}" > 'out ${i}.txt' && test ${i} -ne 2`, {
      env: { CAMPAIGN_NAME: 'demo', CAMPAIGN_TASK_ID: t, CAMPAIGN_TASK_INDEX: String(i) },
      throttle: { key: 'a', max: 2 },
      limit: 60,
    }),
  );
  const arrayAfter = [1, 2, 3].map((i) => [up(root, `g-${i - 1}`, `200.${i}`, i)]);
  const funnel = [
    submission(root, 'm-0', ['true'], { workdir: `${root}/w one` }),
    submission(root, 'm-1', 'exit 0', { workdir: `${root}/w two`, env: { ONLY: 'here' } }),
  ];
  return {
    'single.sh': script(
      root,
      'f00d01-1',
      group([single], { kind: 'jobs', jobs: ['100', '101'] }, [
        [up(root, 'x', '100'), up(root, 'y', '101.3', 3)],
      ]),
    ),
    'array.sh': script(
      root,
      'f00d01-2',
      group(array, { kind: 'ad', arrays: ['200'], index: 1, size: 3 }, arrayAfter, 3),
    ),
    'funnel.sh': script(
      root,
      'f00d01-3',
      group(funnel, { kind: 'jobs', jobs: ['300', '301'] }),
      `${root}/runs/r1/sge/f00d01-3.after`,
    ),
  };
}

describe('Grid Engine job scripts', () => {
  it.each(Object.keys(cases(WEIRD)))('%s matches its golden file', (name) => {
    const text = cases(WEIRD)[name]!;
    const golden = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('asks for cores through the PE, memory per slot, h_rt beyond the limit, and refuses what it cannot ask for', () => {
    const g = (over: Partial<Submission>, site: SiteOptions = SITE) =>
      qsubArgv(group([submission('/r', 't', 'true', over)], { kind: 'none' }), {
        name: 'n',
        dir: '/r/sge',
        script: '/r/sge/s.sh',
        site,
        resultGrace: 10,
        extra: ['-h'],
      });
    expect(g({ resources: { ...RES, cores: 4, memory: 1000 }, limit: 30 })).toEqual({
      ok: true,
      argv: [
        '-terse',
        '-N',
        'n',
        '-wd',
        '/r/sge',
        '-o',
        'logs/$JOB_ID.$TASK_ID.log',
        '-j',
        'y',
        '-S',
        '/bin/sh',
        '-pe',
        'smp',
        '4',
        '-l',
        'h_rt=0:00:45,h_vmem=250M',
        '-h',
        '/r/sge/s.sh',
      ],
      memory: 'h_vmem=250M',
    });
    expect(g({ resources: { ...RES, cores: 2 } }, { killGrace: 10 })).toMatchObject({
      ok: false,
      message: expect.stringContaining('parallel environment'),
    });
    expect(g({ resources: { ...RES, gpus: 1 } })).toMatchObject({
      ok: false,
      message: expect.stringContaining('GPU'),
    });
    expect(g({}, { ...SITE, memoryComplex: 'mem_free', memoryPerSlot: false })).toMatchObject({
      argv: expect.arrayContaining(['-l', 'mem_free=200M']),
    });
    expect(g({}, { ...SITE, memoryComplex: 'none' })).toMatchObject({
      argv: expect.not.arrayContaining(['-l']),
    });
    expect([1, 59, 61, 3600, 86_401].map(sgeDuration)).toEqual([
      '0:00:01',
      '0:00:59',
      '0:01:01',
      '1:00:00',
      '24:00:01',
    ]);
  });

  it('makes job names Grid Engine accepts', () => {
    expect(jobName('so-mapmaking', '20261122_001924_run001', 'ab12cd-3')).toBe(
      'so-mapmaking.20261122_001924_run001.ab12cd-3',
    );
    expect(jobName('42 maps: a/b@c*?', 'r 1', 't-1')).toBe('c42_maps__a_b_c__.r_1.t-1');
    expect(jobName('x'.repeat(600), 'r', 't').length).toBe(200);
  });
});

describe('generated scripts run with /bin/sh, outside Grid Engine', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sge-script-'));
  const root = join(tmp, `it's a "dir" with spaces`);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function run(path: string, index?: number, timeout = 30_000) {
    // In a session of its own: at a limit the wrapper signals its whole process group.
    return spawnSync('setsid', ['/bin/sh', path], {
      encoding: 'utf8',
      timeout,
      env: { PATH: process.env.PATH, ...(index !== undefined ? { SGE_TASK_ID: String(index) } : {}) },
    });
  }

  /** A script of these tasks (index i + 1 each) with no hold. */
  function write(
    name: string,
    subs: Submission[],
    extra: Partial<ScriptInput> = {},
    after: Handle[][] = [],
  ): string {
    const input: ScriptInput = {
      campaign: 'demo',
      runId: 'r',
      token: name,
      qsub: ['qsub'],
      setup: [],
      tasks: subs.map((submission, i) => ({
        index: i + 1,
        submission,
        upstreams: (after[i] ?? []).map((h) => h.files.result),
      })),
      killGrace: 1,
      resultGrace: 1,
      ...extra,
    };
    const path = join(tmp, `${name}.sh`);
    writeFileSync(path, renderScript(input));
    return path;
  }
  const result = (task: string) => parseResult(readFileSync(files(root, task).result, 'utf8'));

  it('selects the task by SGE_TASK_ID; argv, env and paths reach the task unexpanded', () => {
    for (const d of ['work', 'w one', 'w two', 'venv/bin']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(`${root}/venv/bin/activate`, 'export ACTIVATED=yes\necho setup-ran\n');
    const probe = submission(
      root,
      'probe',
      [
        '/bin/sh',
        '-c',
        'printf "%s|" "$@"; printf "%s|%s|%s" "$NOTE" "$ACTIVATED" "$PWD"',
        'sh',
        `it's "done"`,
        '$HOME',
        '',
      ],
      { env: { CAMPAIGN_TASK_ID: 'probe', NOTE: 'a $b `c` "d"\nsecond line\n' } },
    );
    const path = write('probe', [probe], { setup: [`. ${shWord(`${root}/venv/bin/activate`)}`] });
    const r = run(path);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(files(root, 'probe').out, 'utf8')).toBe(
      `setup-ran\nit's "done"|$HOME||a $b \`c\` "d"\nsecond line\n|yes|${root}/work`,
    );
    expect(result('probe')).toMatchObject({ exit: 0, signal: 0, timedOut: false });
    expect(result('probe')!.startMs).toBeGreaterThan(Date.now() - 60_000);

    const array = ['a-0', 'a-1', 'a-2'].map((t, i) =>
      submission(root, t, `echo "seed ${i}" > 'out ${i}.txt' && test ${i} -ne 2`),
    );
    const arrayPath = write('array', array);
    for (const i of [1, 2, 3]) {
      // A failed attempt exits 100: Grid Engine keeps it in Eqw, and what waits for it, held.
      expect(run(arrayPath, i).status).toBe(i === 3 ? 100 : 0);
      expect(readFileSync(join(root, 'work', `out ${i - 1}.txt`), 'utf8')).toBe(`seed ${i - 1}\n`);
      expect(result(`a-${i - 1}`)).toMatchObject({ exit: i === 3 ? 1 : 0 });
    }
    expect(run(arrayPath, 7).status).toBe(100);
    const plain = write('plain', [submission(root, 'p', ['true'], { workdir: `${root}/w one` })]);
    expect(run(plain).status).toBe(0);
    expect(existsSync(files(root, 'p').result)).toBe(true);
  });

  it('records a signal and a command that is not found, and stops a command at its limit', () => {
    const s = (task: string, command: Submission['command']) =>
      submission(root, task, command, { workdir: root });
    const path = write('signals', [s('killed', 'kill -9 $$'), s('missing', ['/no/such program'])]);
    expect(run(path, 1).status).toBe(100);
    expect(result('killed')).toMatchObject({ exit: -1, signal: 9 });
    expect(run(path, 2).status).toBe(100);
    expect(result('missing')).toMatchObject({ exit: 127, signal: 0 });

    // TERM at the limit; a command that ignores it is killed `killGrace` later.
    const limited = write(
      'limit',
      [s('slow', 'sleep 30'), s('stubborn', "trap '' TERM; sleep 30; sleep 30")],
      {
        limit: 1,
      },
    );
    for (const [i, task] of [
      [1, 'slow'],
      [2, 'stubborn'],
    ] as const) {
      const t0 = Date.now();
      expect(run(limited, i, 20_000).status).toBe(100);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(result(task)).toMatchObject({ timedOut: true });
      expect(result(task)!.wallMs).toBeGreaterThanOrEqual(900);
    }
  });

  it('verifies outputs and runs the check inside the job; a failure exits 100', () => {
    const v = (task: string, command: string, verify: Submission['verify']) =>
      submission(root, task, command, { workdir: root, ...(verify ? { verify } : {}) });
    const path = write('verify', [
      v('made', 'echo x > made.txt', { outputs: ['made.txt'], check: 'test -s made.txt' }),
      v('nothing', 'true', { outputs: ['never.txt', `odd 'one'.txt`] }),
      v('checked', 'echo y > checked.txt', { outputs: ['checked.txt'], check: ['/bin/sh', '-c', 'exit 3'] }),
      // Patterns go to the engine's own code (node).
      v('globbed', 'mkdir -p g && touch g/a.nc', { outputs: ['g/*.nc', 'g/none-*.h5', 'made.txt'] }),
    ]);
    expect(run(path, 1).status).toBe(0);
    expect(readFileSync(files(root, 'made').result, 'utf8')).toContain(' verify=ok');
    expect(run(path, 2).status).toBe(100);
    expect(result('nothing')).toMatchObject({
      exit: 0,
      verify: 'outputs',
      missing: ['never.txt', `odd 'one'.txt`],
    });
    expect(run(path, 3).status).toBe(100);
    expect(result('checked')).toMatchObject({ exit: 0, verify: 'check', checkExit: 3 });
    expect(run(path, 4).status).toBe(100);
    expect(result('globbed')).toMatchObject({ exit: 0, verify: 'outputs', missing: ['g/none-*.h5'] });
  });

  it('runs only after its upstream attempts succeeded, by their result lines', () => {
    const ok = submission(root, 'up-ok', 'true', { workdir: root });
    const bad = submission(root, 'up-bad', 'exit 4', { workdir: root });
    const ups = write('ups', [ok, bad]);
    run(ups, 1);
    run(ups, 2);
    const handle = (s: Submission): Handle => ({ taskId: s.taskId, attempt: 1, jobId: '1', files: s.files });
    const never = files(root, 'up-never');
    const d = (task: string) => submission(root, task, 'echo ran', { workdir: root });
    const deps = write('deps', [d('d-ok'), d('d-bad'), d('d-never')], {}, [
      [handle(ok)],
      [handle(ok), handle(bad)],
      [{ ...handle(ok), files: never }],
    ]);
    expect(run(deps, 1).status).toBe(0);
    expect(readFileSync(files(root, 'd-ok').out, 'utf8')).toBe('ran\n');
    expect(run(deps, 2).status).toBe(100);
    expect(existsSync(files(root, 'd-bad').out)).toBe(false);
    expect(readFileSync(`${files(root, 'd-bad').result}.unsatisfiable`, 'utf8')).toBe(
      `unsatisfiable ${bad.files.result}\n`,
    );
    // An upstream result that never shows up is waited for `resultGrace` (1 s here).
    const t0 = Date.now();
    expect(run(deps, 3).status).toBe(100);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(existsSync(`${files(root, 'd-never').result}.unsatisfiable`)).toBe(true);
    // A task given up counts as not succeeded for what waits for it in turn.
    const next = write('next', [d('n-1')], {}, [[handle(d('d-bad'))]]);
    expect(run(next, 1).status).toBe(100);
  });

  it('passes an exit code 99 on (Grid Engine runs the job again) three times, then fails', () => {
    const path = write('again', [submission(root, 'again', 'exit 99', { workdir: root })]);
    for (let i = 0; i < 3; i++) {
      expect(run(path).status).toBe(99);
      expect(existsSync(files(root, 'again').result)).toBe(false);
    }
    expect(run(path).status).toBe(100);
    expect(result('again')).toMatchObject({ exit: 99 });
  });
});
