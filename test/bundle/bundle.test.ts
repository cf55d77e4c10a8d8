import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedent, repo } from '../rig.js';
import { assertSlurm, describeSlurm, UNIQUE } from '../slurm/helpers.js';

// The one-file bundle (npm run bundle) and the standalone executable (npm run sea), each
// copied alone into an empty folder under /tmp with an example campaign and no node_modules
// anywhere above it, validate, run and report the campaign.

const scratch: string[] = [];

// The executable takes longest to make (postject rewrites a copy of node), so it is made in
// the background while the bundle is tested.
let sea: Promise<void>;
beforeAll(() => {
  sea = new Promise((resolve, reject) => {
    execFile(process.execPath, [join(repo, 'scripts/sea.mjs')], { cwd: repo }, (error, _out, stderr) =>
      error ? reject(new Error(`npm run sea failed: ${stderr}`)) : resolve(),
    );
  });
  sea.catch(() => {});
  bundle = join(tempDir('campaign-bundle-'), 'campaign.mjs');
  execFileSync(process.execPath, [join(repo, 'scripts/bundle.mjs'), bundle], { cwd: repo, stdio: 'pipe' });
}, 60_000);
let bundle: string;
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join('/tmp', prefix));
  scratch.push(d);
  return d;
}

/** A folder holding only `file` and the so-mapmaking campaign (in so/), nothing installed. */
function lonely(file: string): string {
  const dir = tempDir('campaign-lonely-');
  copyFileSync(file, join(dir, file.split('/').pop()!));
  cpSync(join(repo, 'campaigns/so-mapmaking'), join(dir, 'so'), {
    recursive: true,
    filter: (p) => !p.includes('.campaign') && !p.endsWith('/out'),
  });
  for (let d = dir; ; d = dirname(d)) {
    expect(existsSync(join(d, 'node_modules')), `${d}/node_modules`).toBe(false);
    if (d === dirname(d)) break;
  }
  return dir;
}

/** A PATH with everything of /usr/bin and /bin but C compilers. */
function pathWithoutCompiler(): string {
  const bin = join(tempDir('campaign-nocc-'), 'bin');
  mkdirSync(bin);
  const compiler = /^(cc|c89|c99|gcc|clang|tcc)([-.\d].*)?$|-(gcc|cc|clang)(-[\d.]+)?$/;
  for (const from of [dirname(process.execPath), '/usr/bin', '/bin']) {
    for (const name of readdirSync(from)) {
      if (compiler.test(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(from, name), join(bin, name));
    }
  }
  return bin;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs ARGV in so/ with a minimal environment: its own HOME and cache, no inherited Node paths. */
function inCampaign(dir: string, argv: string[], PATH: string): Ran {
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: join(dir, 'so'),
    env: { PATH, HOME: dir, XDG_CACHE_HOME: join(dir, 'cache'), CI: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const has = (PATH: string, cmd: string) =>
  spawnSync('/bin/sh', ['-c', `command -v ${cmd}`], { env: { PATH } }).status === 0;

/**
 * validate, run, status, report of so-mapmaking through `campaign`, and which launcher ran the
 * tasks; with `all`, also trace, completion and the in-job output verifier (which do not
 * depend on the launcher).
 */
function exercise(dir: string, campaign: string[], PATH: string, launcher: 'c' | 'sh', all = true): void {
  const c = (...args: string[]) => inCampaign(dir, [...campaign, ...args], PATH);

  expect(c('--version')).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  expect(c('validate', 'campaign.toml')).toEqual({
    code: 0,
    stdout: 'campaign.toml: ok (4 nodes, 1 group, 4 edges)\n',
    stderr: '',
  });

  const run = c('run', 'campaign.toml');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const ended = run.stdout
    .split('\n')
    .filter((l) => l.includes('succeeded'))
    .map((l) => l.replace(/^\[[\d:]+\] /, '').replace(/ in [\d.]+s$/, ''));
  expect(ended.sort()).toEqual([
    'succeeded  ml-mapmaking',
    'succeeded  ml-null-tests.mission-tests',
    'succeeded  ml-null-tests.wafer-tests',
    'succeeded  report',
    'succeeded: 4 succeeded',
  ]);
  expect(readFileSync(join(dir, 'so/out/report.txt'), 'utf8')).toMatch(
    /^mission\tnsplits=4\tpixels=16\tchi2=\d+\.\d\d\nwafer\tnsplits=4\tpixels=16\tchi2=\d+\.\d\d\n$/,
  );

  const status = c('status', 'campaign.toml');
  expect(status.code).toBe(0);
  expect(status.stdout.replace(/\d{8}_\d{6}_run001/, 'RUN')).toBe(
    [
      'campaign so-mapmaking: last run RUN (succeeded)',
      '',
      'SUBCAMPAIGN      TASKS  SUCCEEDED  FAILED  SKIPPED  CANCELLED  RUNNING  QUEUED  PENDING',
      'ml-mapmaking         1          1       0        0          0        0       0        0',
      'ml-null-tests/       2          2       0        0          0        0       0        0',
      '  mission-tests      1          1       0        0          0        0       0        0',
      '  wafer-tests        1          1       0        0          0        0       0        0',
      'report               1          1       0        0          0        0       0        0',
      'total                4          4       0        0          0        0       0        0',
      '',
    ].join('\n'),
  );

  // The launcher written to the cache folder (and compiled there when a compiler exists) is
  // the parent of a task's command.
  const cached = readdirSync(join(dir, 'cache/campaign')).filter((k) => !k.startsWith('sea-'));
  expect(cached).toHaveLength(1);
  const cache = join(dir, 'cache/campaign', cached[0]!);
  expect(existsSync(join(cache, 'libexec/campaign-exec'))).toBe(launcher === 'c');
  mkdirSync(join(dir, 'so/probe'));
  writeFileSync(
    join(dir, 'so/probe/campaign.toml'),
    '[campaign]\nname = "probe"\n[campaign.parent]\n' +
      `command = "tr '\\\\0' ' ' < /proc/$PPID/cmdline > parent.txt"\noutputs = ["parent.txt"]\n`,
  );
  // Through the Ink dashboard (React, yoga-layout's wasm), which the bundle carries.
  const dashboard = c('run', 'probe/campaign.toml', '--ui', 'dashboard');
  expect([dashboard.code, dashboard.stderr]).toEqual([0, '']);
  expect(dashboard.stdout).toMatch(/✔ probe succeeded in \d+s · run \d{8}_\d{6}_run001 · local\n/);
  const parent = readFileSync(join(dir, 'so/probe/parent.txt'), 'utf8');
  if (launcher === 'c') expect(parent).toBe(`${cache}/libexec/campaign-exec --serve `);
  else expect(parent).toMatch(new RegExp(`^/bin/sh ${cache}/native/campaign-exec\\.sh `));

  const report = c('report', 'campaign.toml', '--out', 'report.html');
  expect(report.stderr).toBe('');
  expect(report.code).toBe(0);
  expect(report.stdout).toMatch(
    /^report of run \d{8}_\d{6}_run001 \(succeeded\): \/tmp\/campaign-lonely-\w+\/so\/report\.html \(\d+ KiB\)\n$/,
  );
  const html = readFileSync(join(dir, 'so/report.html'), 'utf8');
  expect([...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1])).toEqual([
    'summary',
    'timeline',
    'resources',
    'retries',
    'dag',
    'compare',
    'failures',
  ]);
  for (const task of ['ml-mapmaking', 'ml-null-tests.mission-tests', 'ml-null-tests.wafer-tests'])
    expect(html).toContain(task);

  if (!all) return;
  const trace = c('trace', 'campaign.toml', '--format', 'json');
  expect(trace.code).toBe(0);
  const rows = JSON.parse(trace.stdout) as { task: string; state: string }[];
  expect(rows.map((r) => `${r.task} ${r.state}`).sort()).toEqual([
    'ml-mapmaking succeeded',
    'ml-null-tests.mission-tests succeeded',
    'ml-null-tests.wafer-tests succeeded',
    'report succeeded',
  ]);

  // The output verifier a Slurm or Grid Engine job runs, as the job script calls it.
  const verifier = join(cache, 'dist/schedulers/slurm/verify-outputs.js');
  const node = campaign.length === 1 ? campaign[0]! : process.execPath;
  expect(inCampaign(dir, [node, '--jitless', verifier, '.', 'out/maps/*.json'], PATH).code).toBe(0);
  const missing = inCampaign(dir, [node, '--jitless', verifier, '.', 'out/maps/*.json', 'none/*.x'], PATH);
  expect([missing.code, missing.stdout]).toEqual([10, 'none%2F*.x\n']);

  expect(c('completion', '--ids')).toEqual({
    code: 0,
    stdout: 'ml-mapmaking\nml-null-tests\nml-null-tests.mission-tests\nml-null-tests.wafer-tests\nreport\n',
    stderr: '',
  });
}

describe('npm run bundle: dist/campaign.mjs alone', () => {
  it('validates, runs and reports a campaign, building the C launcher on first use', () => {
    expect(has(process.env.PATH!, 'cc')).toBe(true);
    const dir = lonely(bundle);
    exercise(dir, [process.execPath, join(dir, 'campaign.mjs')], process.env.PATH!, 'c');
  }, 90_000);

  it('runs tasks through the POSIX launcher where there is no C compiler', () => {
    const PATH = pathWithoutCompiler();
    for (const cc of ['cc', 'gcc', 'clang']) expect(has(PATH, cc)).toBe(false);
    expect(has(PATH, 'node')).toBe(true);
    const dir = lonely(bundle);
    exercise(dir, [process.execPath, join(dir, 'campaign.mjs')], PATH, 'sh', false);
  }, 90_000);
});

describe('npm run sea: a standalone executable', () => {
  it('validates, runs and reports a campaign with no node of its own', async () => {
    await sea;
    const dir = lonely(join(repo, 'dist/campaign-sea'));
    // PATH keeps node for the campaign's own commands (`node bin/mapmaker.mjs`); campaign
    // itself is the executable, started by path.
    exercise(dir, [join(dir, 'campaign-sea')], process.env.PATH!, 'c');
    expect(readdirSync(join(dir, 'cache/campaign')).filter((k) => k.startsWith('sea-'))).toHaveLength(1);
  }, 180_000);
});

describeSlurm('the bundle on a Slurm login node', () => {
  beforeAll(() => assertSlurm());

  it('submits to Slurm; jobs check outputs with the verifier from the cache folder', () => {
    const dir = lonely(bundle);
    mkdirSync(join(dir, 'so/sl'));
    writeFileSync(
      join(dir, 'so/sl/campaign.toml'),
      dedent(`
        [campaign]
        name = "bundle${UNIQUE}"
        [campaign.scheduler]
        type = "slurm"
        poll_interval = "1s"
        [campaign.defaults.resources]
        memory = "100M"
        runtime = "5m"
        [campaign.a]
        command = "echo a > a.txt"
        outputs = ["a.txt"]
        [campaign.b]
        command = "true"
        outputs = ["b.txt"]
        depends_on = ["a"]
      `),
    );
    const run = inCampaign(
      dir,
      [process.execPath, join(dir, 'campaign.mjs'), 'run', 'sl/campaign.toml'],
      process.env.PATH!,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\] failed: 1 succeeded, 1 failed in /);
    const tasks = join(
      dir,
      'so/sl/.campaign/campaign/runs',
      readdirSync(join(dir, 'so/sl/.campaign/campaign/runs'))[0]!,
      'tasks',
    );
    // The verdict of the check inside the job, in the result line it wrote.
    const verdict = (f: string) => readFileSync(join(tasks, f), 'utf8').match(/ verify=.*$/m)?.[0];
    expect(verdict('a.1.result')).toBe(' verify=ok');
    expect(verdict('b.1.result')).toBe(' verify=outputs missing=b.txt');
  }, 120_000);
});
