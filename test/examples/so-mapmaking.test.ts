import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';
import { copySo, fitsHeader, seedSets } from './so-rig.js';

const rig = new Rig('campaign-so-');
afterAll(() => rig.cleanup());
const dir = copySo(rig);

interface Status {
  totals: Record<string, number>;
  tasks: { id: string; state: string; attempts: { n: number; state: string; failure?: string }[] }[];
}
const status = (file: string, ...extra: string[]) =>
  JSON.parse(rig.run(['status', file, '--json', ...extra]).stdout) as Status;
const succeeded = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => / succeeded {2}/.test(l))
    .map((l) => l.replace(/^\[[0-9:]+\] succeeded {2}/, '').replace(/ in [0-9.]+s$/, ''))
    .sort();

const SEED_TASKS = [
  'ml-mapmaking',
  'ml-null-tests.mission-tests[split-1]',
  'ml-null-tests.mission-tests[split-2]',
  'ml-null-tests.wafer-tests[ws0-split-1]',
  'ml-null-tests.wafer-tests[ws0-split-2]',
];

describe("the seed's own TOML (campaigns/so-mapmaking/seed.toml)", () => {
  it('as it is: one diagnostic per thing to add, each saying what to add, and no unknown key', () => {
    const r = rig.run(['validate', 'so/seed.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      dedent(`
      so/seed.toml:1:2: error: [campaign] is missing the required key \`name\` [missing-key]
        1 | [campaign.ml-mapmaking]
          |  ^^^^^^^^
        help: add: name = "my-campaign"

      so/seed.toml:13:25: error: \`ml-null-tests.mission-tests\` (workflow type) needs \`context\`, \`area\` and \`output_dir\` [missing-key]
        13 | [campaign.ml-null-tests.mission-tests]
           |                         ^^^^^^^^^^^^^
        help: add context = ..., area = ..., output_dir = ... to [campaign.ml-null-tests.mission-tests], or to [campaign.ml-null-tests], where every table in it finds them

      so/seed.toml:17:25: error: \`ml-null-tests.wafer-tests\` (workflow type) needs \`context\`, \`area\` and \`output_dir\` [missing-key]
        17 | [campaign.ml-null-tests.wafer-tests]
           |                         ^^^^^^^^^^^
        help: add context = ..., area = ..., output_dir = ... to [campaign.ml-null-tests.wafer-tests], or to [campaign.ml-null-tests], where every table in it finds them

      3 errors
      `),
    );
  });

  it('with its paths pointed at the stand-in data: validates, plans the typed command, runs every split', () => {
    const sets = seedSets(dir);
    expect(rig.run(['validate', 'so/seed.toml', ...sets]).stdout).toBe(
      'so/seed.toml: ok (3 nodes, 1 group, 0 edges)\n',
    );
    const plan = rig.run(['plan', 'so/seed.toml', ...sets]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      `│    command    so-site-pipeline make-ml-map 'obs_id='\\''1575600533.1575611468.ar5_1'\\''' ${dir}/data/area.fits out/full --bands=f090 --comps=TQU --context=${dir}/data/context.yaml --maxiter=10 --site=act --tiled=1 --wafer=ws0\n`,
    );
    expect(plan.stdout).toContain('   │    instances  2: split-1, split-2\n');
    expect(plan.stdout).toContain('        instances  2: ws0-split-1, ws0-split-2\n');
    expect(plan.stdout).toContain('  tasks          5\n');

    const run = rig.run(['run', 'so/seed.toml', ...sets, '--ui', 'plain']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(succeeded(run.stdout)).toEqual(SEED_TASKS);
    expect(run.stdout).toMatch(/\] succeeded: 5 succeeded in /);
    // The one observation of the seed's query, and the chunks of the splits.
    expect(fitsHeader(join(dir, 'out/full/sky_map.fits'))).toMatchObject({
      NOBS: '1',
      COMPS: 'TQU',
      BANDS: 'f090',
    });
    expect(readdirSync(join(dir, 'out/null')).sort()).toEqual([
      'mission_split_1',
      'mission_split_2',
      'wafer_ws0_split_1',
      'wafer_ws0_split_2',
    ]);
    expect(fitsHeader(join(dir, 'out/null/mission_split_1/sky_map.fits')).NOBS).toBe('8');
    expect(fitsHeader(join(dir, 'out/null/wafer_ws0_split_1/sky_map.fits')).NOBS).toBe('6');
  });
});

describe('the complete campaign (campaigns/so-mapmaking/so.toml)', () => {
  it('plans on its budget: requests with 30% memory and 50% runtime headroom, makespan, cost, deadline', () => {
    const r = rig.run(['plan', 'so/so.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  tasks          10\n');
    expect(r.stdout).toContain(
      dedent(`
      schedule on 1 node x 2 cores x 8G
      group          tasks  cores  memory     runtime  core-h
      ml-mapmaking       1  1      1131M      1m14s      0.02
      ml-null-tests      8  1      255M-262M  41s-42s    0.09
      null-report        1  1      167M       15s        0.00

        makespan       4m14s
        core-hours     0.12
      `),
    );
    expect(r.stdout).toContain('  deadline       1h away, met with 55m46s to spare\n');
    expect(r.stdout).toContain(
      dedent(`
      sizing (estimate + headroom = request)
        node                         memory                  runtime
        ml-mapmaking                 870M +30% = 1131M       49s +50% = 1m14s
        ml-null-tests.mission-tests  201M +30% = 262M        28s +50% = 42s
        ml-null-tests.wafer-tests    196M +30% = 255M        27s +50% = 41s
        null-report                  128M +30% = 167M        10s +50% = 15s
      `),
    );
  });

  it('a deadline the schedule misses fails the plan, with what would meet it', () => {
    const r = rig.run(['plan', 'so/so.toml', '--set', 'resources.deadline=3m']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^so\/so\.toml:37:12: error: the makespan 4m14s misses the deadline 3m by 1m14s; critical path .* \[deadline-missed\]\n/,
    );
    expect(r.stderr).toContain('  help: with nodes = 2 the makespan is 2m52s\n');
  });

  it('runs the map, 8 null-test maps and the report of the custom type; a second run has nothing to do', () => {
    const r = rig.run(['run', 'so/so.toml', '--ui', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(succeeded(r.stdout)).toEqual([
      'ml-mapmaking',
      'ml-null-tests.mission-tests[split-1]',
      'ml-null-tests.mission-tests[split-2]',
      'ml-null-tests.wafer-tests[ws0-split-1]',
      'ml-null-tests.wafer-tests[ws0-split-2]',
      'ml-null-tests.wafer-tests[ws1-split-1]',
      'ml-null-tests.wafer-tests[ws1-split-2]',
      'ml-null-tests.wafer-tests[ws2-split-1]',
      'ml-null-tests.wafer-tests[ws2-split-2]',
      'null-report',
    ]);
    expect(r.stdout).toMatch(/\] succeeded: 10 succeeded in /);
    expect(rig.read('so/out/so/null-report.tsv')).toBe(
      dedent(`
      test	splits	dof	chi2/dof	result
      mission	2	127	1.04	PASS
      wafer_ws0	2	127	1.08	PASS
      wafer_ws1	2	127	0.97	PASS
      wafer_ws2	2	127	1.04	PASS
      `),
    );
    for (const f of ['sky_map.fits', 'sky_ivar.fits', 'sky_bin.fits'])
      expect(existsSync(join(dir, 'out/so/maps/full', f))).toBe(true);
    expect(fitsHeader(join(dir, 'out/so/maps/full/sky_map.fits')).NOBS).toBe('16');
    const again = rig.run(['run', 'so/so.toml', '--dry-run']);
    expect(again.stdout).toBe('would run 0 of 10 selected tasks (10 up to date)\n');
  });

  it('a split that runs out of memory once is killed, ends oom, and its retry succeeds', () => {
    rig.write('once/.keep', '');
    const sets = [
      '--set',
      'ml-null-tests.mission-tests.env.SO_FAKE=oom',
      '--set',
      'ml-null-tests.mission-tests.env.SO_FAKE_MATCH=mission_split_2',
      '--set',
      `ml-null-tests.mission-tests.env.SO_FAKE_ONCE=${rig.path('once')}`,
    ];
    const r = rig.run([
      'run',
      'so/so.toml',
      '--only',
      'ml-null-tests.mission-tests',
      '--force',
      ...sets,
      '--ui',
      'plain',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /failed {5}ml-null-tests\.mission-tests\[split-2\]: out of memory: .* over its request of 262M \(killed by the launcher\); retrying in 1s/,
    );
    const t = status('so/so.toml', ...sets).tasks.find(
      (x) => x.id === 'ml-null-tests.mission-tests[split-2]',
    )!;
    // The attempts of this run (the first run's attempt is before them).
    expect(t.attempts.slice(-2).map((a) => [a.state, a.failure])).toEqual([
      ['failed', 'oom'],
      ['succeeded', undefined],
    ]);
  });

  it('a split that outlives its timeout once is killed, ends timeout, and its retry succeeds', () => {
    rig.write('slow/.keep', '');
    const sets = [
      ...[
        'SO_FAKE=slow',
        'SO_FAKE_SECONDS=60',
        'SO_FAKE_MATCH=mission_split_1',
        `SO_FAKE_ONCE=${rig.path('slow')}`,
      ].flatMap((e) => ['--set', `ml-null-tests.mission-tests.env.${e}`]),
      '--set',
      'ml-null-tests.mission-tests.timeout=3s',
    ];
    const r = rig.run([
      'run',
      'so/so.toml',
      '--only',
      'ml-null-tests.mission-tests',
      '--force',
      ...sets,
      '--ui',
      'plain',
    ]);
    expect(r.code).toBe(0);
    const t = status('so/so.toml', ...sets).tasks.find(
      (x) => x.id === 'ml-null-tests.mission-tests[split-1]',
    )!;
    expect(t.attempts.slice(-2).map((a) => [a.state, a.failure])).toEqual([
      ['failed', 'timeout'],
      ['succeeded', undefined],
    ]);
  });

  it('a split that fails is not retried (failures other than oom/timeout are not): its dependents are skipped', () => {
    const sets = [
      '--set',
      'ml-null-tests.wafer-tests.env.SO_FAKE=fail',
      '--set',
      'ml-null-tests.wafer-tests.env.SO_FAKE_MATCH=ws1_split_1',
    ];
    const r = rig.run([
      'run',
      'so/so.toml',
      '--only',
      'ml-null-tests',
      '--only',
      'null-report',
      '--force',
      ...sets,
      '--ui',
      'plain',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('failed     ml-null-tests.wafer-tests[ws1-split-1]: exit code 3');
    const s = status('so/so.toml', ...sets);
    expect(s.totals).toMatchObject({ succeeded: 8, failed: 1, skipped: 1 });
    expect(s.tasks.find((x) => x.id === 'null-report')!.state).toBe('skipped');
  });
});

describe('typed parameters in a table named after its type', () => {
  const write = (body: string) => rig.write('typed/campaign.toml', `[campaign]\nname = "typed"\n\n${body}`);

  it("the seed's placeholder paths, with a name: the context that is not there is the one error", () => {
    const r = rig.run([
      'validate',
      'so/seed.toml',
      '--set',
      'name=so-seed',
      '--set',
      'ml-null-tests.context=file:///path/to/context.yaml',
      '--set',
      'ml-null-tests.area=file:///path/to/area.fits',
      '--set',
      'ml-null-tests.output_dir=/path/to/output/null',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.includes('error:'))).toEqual([
      'so/seed.toml:1:11: error: workflow `ml-mapmaking` (built-in) failed in resources(): cannot read the context /path/to/context.yaml: ENOENT [workflow-failed]',
      'so/seed.toml:13:25: error: workflow `ml-null-tests.mission-tests` (built-in) failed in expand(): cannot read the context /path/to/context.yaml: ENOENT [workflow-failed]',
      'so/seed.toml:17:25: error: workflow `ml-null-tests.wafer-tests` (built-in) failed in expand(): cannot read the context /path/to/context.yaml: ENOENT [workflow-failed]',
    ]);
  });

  it('a wrong type and an unknown parameter are errors at the key, with the hint', () => {
    write(
      dedent(`
      [campaign.ml-mapmaking]
      context = "file://ctx.yaml"
      area = "file://area.fits"
      output_dir = "out"
      bandz = "f090"
      maxiter = "ten"
      tiled = true
      `),
    );
    const r = rig.run(['validate', 'typed/campaign.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      dedent(`
      typed/campaign.toml:8:1: error: unknown key \`bandz\` in [campaign.ml-mapmaking] [unknown-key]
        8 | bandz = "f090"
          | ^^^^^
        help: did you mean \`bands\`?

      typed/campaign.toml:9:11: error: \`maxiter\` must be well-formed, not "ten" [bad-value]
        9 | maxiter = "ten"
          |           ^^^^^
        help: write it as a whole number, or one per level: "200,200"

      typed/campaign.toml:10:9: error: \`tiled\` must be one of 0, 1, not true [bad-value]
        10 | tiled = true
           |         ^^^^

      3 errors
      `),
    );
  });

  it('in YAML the same: the unknown parameter at its key', () => {
    rig.write(
      'typed/campaign.yaml',
      dedent(`
      campaign:
        name: typed
        ml-mapmaking:
          context: file://ctx.yaml
          area: file://area.fits
          output_dir: out
          bandz: f090
      `),
    );
    const r = rig.run(['validate', 'typed/campaign.yaml']);
    expect(r.stderr).toBe(
      dedent(`
      typed/campaign.yaml:7:5: error: unknown key \`bandz\` in [campaign.ml-mapmaking] [unknown-key]
        7 |     bandz: f090
          |     ^^^^^
        help: did you mean \`bands\`?

      1 error
      `),
    );
  });

  it("a group's parameters reach the null tests in it, and their errors point at the group", () => {
    write(
      dedent(`
      [campaign.ml-null-tests]
      context = "file://ctx.yaml"
      area = "file://area.fits"
      output_dir = "out"
      comps = "TQUV"

      [campaign.ml-null-tests.mission-tests]
      chunk_nobs = 0
      nsplits = 8
      `),
    );
    const r = rig.run(['validate', 'typed/campaign.toml']);
    expect(r.stderr).toBe(
      dedent(`
      typed/campaign.toml:8:9: error: \`comps\` must be one of "T", "QU", "TQU", not "TQUV" [bad-value]
        8 | comps = "TQUV"
          |         ^^^^^^
        help: did you mean "TQU"?

      typed/campaign.toml:11:14: error: \`chunk_nobs\` must be at least 1, not 0 [bad-value]
        11 | chunk_nobs = 0
           |              ^

      2 errors
      `),
    );
  });

  it('a table whose keys are parameters of no known type is one diagnostic, saying what to add', () => {
    write(
      dedent(`
      [campaign.sat-sims]
      context = "file://ctx.yaml"
      nside = 512
      `),
    );
    const r = rig.run(['validate', 'typed/campaign.toml']);
    expect(r.stderr).toBe(
      dedent(`
      typed/campaign.toml:5:1: error: [campaign.sat-sims] sets \`context\` and \`nside\`, which no table has; no workflow type is named \`sat-sims\` to take them as parameters [params-without-workflow]
        5 | context = "file://ctx.yaml"
          | ^^^^^^^
        help: add \`workflow = "<type>"\` to [campaign.sat-sims] (types: command, split, ml-mapmaking, ml-null-tests.mission-tests, ml-null-tests.wafer-tests), or register a type named \`sat-sims\` in a plugin: \`plugins = ["plugins/<file>.mjs"]\` in [campaign]

      1 error
      `),
    );
  });

  it("a plugin's type is named by its table too: the custom type's parameters are checked", () => {
    rig.write('typed/plugins/so-workflows.mjs', rig.read('so/plugins/so-workflows.mjs'));
    rig.write(
      'typed/campaign.toml',
      dedent(`
      [campaign]
      name = "typed"
      plugins = ["plugins/so-workflows.mjs"]

      [campaign.null-report]
      maps = "out/null"
      out = "out/r.tsv"
      threshold = "high"
      `),
    );
    const r = rig.run(['validate', 'typed/campaign.toml']);
    expect(r.stderr).toBe(
      dedent(`
      typed/campaign.toml:8:13: error: \`threshold\` must be a number, not a string [wrong-type]
        8 | threshold = "high"
          |             ^^^^^^

      1 error
      `),
    );
  });
});
