import { cpSync, existsSync, readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

// The WEPPcloud batch runner (seed 003) as a campaign, end to end through the real binary on
// the local machine, as the original ran on its local rq worker pool: the validation report,
// the job count before anything runs, the task checklist, three workers, the ledger, retry of
// failures, force rebuild, run filters, cancel, and the audit history.
const rig = new Rig('campaign-wepp-');
afterAll(() => rig.cleanup());

/** The stand-ins work a tenth of a second each: the chain's order matters, not its duration. */
const quick = { WEPP_TASK_SECONDS: '0.1' };
/** Every run may use eight cores: the watershed group's `max_parallel = 3` is the only bound. */
const cores = ['--cores', '8'];

const RUN_IDS = ['upper-salmon-17', 'lochsa-river-17', 'bear-river-s-fork-16', 'rio-chama-13'];
const CHAIN = ['clone', 'delineation', 'landuse', 'soils', 'climate', 'wepp', 'watar', 'omni'];

/** A fresh copy of the example (its sources, not what earlier runs left) named `name`. */
function copy(name: string): string {
  const produced = new Set(['runs', '.campaign']);
  cpSync(join(repo, 'campaigns', 'weppcloud-batch'), rig.path(name), {
    recursive: true,
    filter: (src) => !produced.has(basename(src)),
  });
  return `${name}/campaign.toml`;
}

interface Attempt {
  n: number;
  state: string;
  failure?: string;
  where?: { pid?: number; host?: string };
  started?: string;
  ended?: string;
}
interface Task {
  id: string;
  node: string;
  state: string;
  attempt: number;
  where?: string;
  failure?: string;
  message?: string;
  /** Left out for a task that never ran. */
  attempts?: Attempt[];
}
interface Status {
  run: { id: string; status: string };
  running: unknown;
  totals: Record<string, number>;
  tasks: Task[];
}

function status(file: string): Status {
  const r = rig.run(['status', file, '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Status;
}

/** The seed's ledger: run id → step → [state, attempts over every run]. */
function ledger(s: Status): Record<string, Record<string, [string, number]>> {
  const out: Record<string, Record<string, [string, number]>> = {};
  for (const t of s.tasks) {
    const m = /^watershed\.([a-z]+)\[(.+)\]$/.exec(t.id);
    if (!m) continue;
    const run = out[m[2]!] ?? {};
    run[m[1]!] = [t.state, t.attempts?.length ?? 0];
    out[m[2]!] = run;
  }
  return out;
}

/** The ledger of every run id with each step in one state and attempt. */
function uniform(state: string, attempt: number, steps = CHAIN) {
  return Object.fromEntries(
    RUN_IDS.map((id) => [id, Object.fromEntries(steps.map((s) => [s, [state, attempt]]))]),
  );
}

/** The task ids `run --dry-run` would run, in order. */
function wouldRun(file: string, ...args: string[]): { head: string; ids: string[] } {
  const r = rig.run(['run', file, '--dry-run', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const [head, ...rest] = r.stdout.trimEnd().split('\n');
  return { head: head!, ids: rest.map((l) => l.trim().split(/\s+/)[0]!) };
}

/** The tasks a run started (`--ui plain`), sorted. */
function ran(stdout: string): string[] {
  const ids = [...stdout.matchAll(/^\[[0-9:]+\] started {4}(\S+)/gm)].map((m) => m[1]!);
  return [...new Set(ids)].sort();
}

/** The most attempts under way at once, from their recorded start and end. */
function peak(attempts: Attempt[]): number {
  const edges = attempts.flatMap((a) => [
    [Date.parse(a.started!), 1],
    [Date.parse(a.ended!), -1],
  ]) as [number, number][];
  // At one instant, an end before a start: a worker freed and taken again is not two.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) {
    now += d;
    most = Math.max(most, now);
  }
  return most;
}

describe('the WEPPcloud batch runner', () => {
  it('validates the run ids before anything runs: ids from the template, duplicates, missing attributes, rejected features', () => {
    const file = copy('v');
    const ok = rig.run(['expand', file]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const lines = ok.stdout.split('\n');
    expect(lines[0]).toBe(
      'watershed: foreach data/watersheds.geojson (4), id "{properties.HucName:slug}-{properties.Region}"',
    );
    // Proposed run ids, sanitized from the names (accents, quotes and spaces).
    expect(
      lines.slice(1, 5).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 2),
      ),
    ).toEqual([
      ['0', 'upper-salmon-17'],
      ['1', 'lochsa-river-17'],
      ['2', 'bear-river-s-fork-16'],
      ['3', 'rio-chama-13'],
    ]);
    expect(lines[3]).toContain("properties.HucName=Bear River's Fork");
    expect(lines[4]).toContain('properties.HucName=Río Chama');
    expect(ok.stdout).toContain('\n  4 items: 4 instances\n');
    expect(ok.stdout.endsWith('\n1 fan-out: 4 instances; 34 tasks\n')).toBe(true);

    // An upload with a duplicate run id and a feature without the template's attribute.
    rig.write(
      'v/resources/upload.geojson',
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { HucName: 'Upper Salmon', Region: 17 },
            geometry: square(-115, 44),
          },
          { type: 'Feature', properties: { HucName: 'Lochsa' }, geometry: square(-116, 46) },
          {
            type: 'Feature',
            properties: { HucName: 'upper  SALMON', Region: 17 },
            geometry: square(-114, 44),
          },
          { type: 'Feature', properties: { HucName: 'Selway', Region: 17 }, geometry: square(-115, 46) },
        ],
      }),
    );
    const set = ['--set', 'watershed.foreach=resources/upload.geojson'];
    const bad = rig.run(['expand', file, ...set]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe(
      [
        'watershed: foreach resources/upload.geojson (4), id "{properties.HucName:slug}-{properties.Region}"',
        '  0  upper-salmon-17  id=null properties.HucName=Upper Salmon properties.Region=17 geometry.type=Polygon bbox=-115,44,-114.5,44.5',
        '  1  rejected         (resources/upload.geojson feature 1) has no `properties.Region` for the id',
        '  2  rejected         (resources/upload.geojson feature 2) has the id `upper-salmon-17`, which is also the id of item 0',
        '  3  selway-17        id=null properties.HucName=Selway properties.Region=17 geometry.type=Polygon bbox=-115,46,-114.5,46.5',
        '  4 items: 2 instances, 2 rejected',
        '',
        '1 fan-out: 2 instances, 2 rejected',
        '',
      ].join('\n'),
    );
    const marker = `     |      ${'^'.repeat('"{properties.HucName:slug}-{properties.Region}"'.length)}`;
    const source = '  42 | id = "{properties.HucName:slug}-{properties.Region}"';
    expect(bad.stderr).toBe(
      [
        '',
        `${file}:42:6: error: item 1 (resources/upload.geojson feature 1) has no \`properties.Region\` for the id [missing-value]`,
        source,
        marker,
        '',
        `${file}:42:6: error: item 2 (resources/upload.geojson feature 2) has the id \`upper-salmon-17\`, which is also the id of item 0 [duplicate-instance]`,
        source,
        marker,
        '',
        '2 errors',
        '',
      ].join('\n'),
    );
    // An upload that is not a FeatureCollection of Features: the feature is named.
    rig.write(
      'v/resources/broken.geojson',
      JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Point', coordinates: [1, 2] }] }),
    );
    const broken = rig.run(['expand', file, '--set', 'watershed.foreach=resources/broken.geojson']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(
      '--set:1:19: error: resources/broken.geojson feature 0 is not a GeoJSON Feature [bad-data]\n',
    );

    // `run` refuses the same file before a single task starts.
    const run = rig.run(['run', file, ...set, '--ui', 'plain']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('[duplicate-instance]');
    expect(existsSync(rig.path('v/runs'))).toBe(false);
    expect(existsSync(rig.path('v/.campaign/campaign/runs'))).toBe(false);
  }, 180_000);

  it('estimates the job count before anything runs, for the whole batch and for each filter', () => {
    const file = copy('n');
    const plan = rig.run(['plan', file]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('\n  tasks          34\n');
    const all = wouldRun(file);
    expect(all.head).toBe('would run 34 of 34 selected tasks (0 up to date):');
    expect(all.ids).toEqual([
      'base',
      ...CHAIN.flatMap((s) => RUN_IDS.map((id) => `watershed.${s}[${id}]`)),
      'manifest',
    ]);
    // One run id.
    expect(wouldRun(file, '--only', 'watershed[lochsa-river-17]')).toEqual({
      head: 'would run 8 of 8 selected tasks (0 up to date):',
      ids: CHAIN.map((s) => `watershed.${s}[lochsa-river-17]`),
    });
    // An index range of run ids, with what they need and what needs them.
    const range = wouldRun(file, '--index', '1..2');
    expect(range.head).toBe('would run 18 of 18 selected tasks (0 up to date):');
    expect(range.ids).toEqual([
      'base',
      ...CHAIN.flatMap((s) =>
        ['lochsa-river-17', 'bear-river-s-fork-16'].map((id) => `watershed.${s}[${id}]`),
      ),
      'manifest',
    ]);
    // A task checklist: the steps up to soils for every watershed.
    expect(wouldRun(file, '--until', 'watershed.soils').head).toBe(
      'would run 17 of 17 selected tasks (0 up to date):',
    );
    // A changed _base pushed to every run: the snapshot and everything after it.
    expect(wouldRun(file, '--from', 'base', '--force').head).toBe(
      'would run 34 of 34 selected tasks (0 up to date):',
    );
    expect(existsSync(rig.path('n/runs'))).toBe(false);
  }, 180_000);

  it('runs a task checklist, then the rest, three tasks at a time, each run id in its own clone of _base', () => {
    const file = copy('c');
    // The checklist: delineation, landuse and soils (with the snapshot and clone they need).
    const first = rig.run(['run', file, '--until', 'watershed.soils', '--ui', 'plain', ...cores], {
      env: quick,
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/\] succeeded: 17 succeeded in [0-9.]+s\n$/);
    for (const id of RUN_IDS) {
      expect(existsSync(rig.path('c/runs', id, 'soils/soils.csv'))).toBe(true);
      expect(existsSync(rig.path('c/runs', id, 'climate'))).toBe(false);
    }
    expect(ledger(status(file))).toEqual(
      Object.fromEntries(
        RUN_IDS.map((id) => [
          id,
          Object.fromEntries(
            CHAIN.map((s) => [s, CHAIN.indexOf(s) <= 3 ? ['succeeded', 1] : ['pending', 0]]),
          ),
        ]),
      ),
    );

    // The rest of the chain: only what the checklist left.
    expect(wouldRun(file).head).toBe('would run 17 of 34 selected tasks (17 up to date):');
    const rest = rig.run(['run', file, '--ui', 'plain', ...cores], { env: quick });
    expect(rest.stderr).toBe('');
    expect(rest.code).toBe(0);
    expect(rest.stdout).toMatch(/\] succeeded: 34 succeeded in [0-9.]+s\n$/);
    expect(ran(rest.stdout)).toEqual(
      [...CHAIN.slice(4).flatMap((s) => RUN_IDS.map((id) => `watershed.${s}[${id}]`)), 'manifest'].sort(),
    );

    const s = status(file);
    expect(s.run.status).toBe('succeeded');
    expect(s.running).toBeNull();
    expect(s.totals).toEqual({
      pending: 0,
      queued: 0,
      running: 0,
      succeeded: 34,
      failed: 0,
      skipped: 0,
      cancelled: 0,
    });
    expect(ledger(s)).toEqual(uniform('succeeded', 1));
    // Every task's job: a process of this machine, with its pid.
    for (const t of s.tasks) {
      expect(t.where).toMatch(/^pid \d+$/);
      expect(t.where).toBe(`pid ${t.attempts![0]!.where!.pid}`);
    }
    // The three workers: never more than three of the watersheds' tasks at once, and three
    // at once when four watersheds were ready.
    const second = s.tasks
      .filter((t) => t.node.startsWith('watershed.') && CHAIN.indexOf(t.node.slice(10)) >= 4)
      .flatMap((t) => t.attempts ?? []);
    expect(second).toHaveLength(16);
    expect(peak(second)).toBe(3);
    expect(
      peak(s.tasks.filter((t) => t.node.startsWith('watershed.')).flatMap((t) => t.attempts ?? [])),
    ).toBe(3);

    // The outputs: every run id's folder is a clone of _base, its NoDb files pointing at it.
    expect(JSON.parse(rig.read('c/runs/manifest.json'))).toEqual(
      Object.fromEntries(
        [...RUN_IDS]
          .sort()
          .map((id) => [id, Object.fromEntries(CHAIN.slice(1).map((step) => [step, 'done']))]),
      ),
    );
    for (const id of RUN_IDS) {
      const ron = JSON.parse(rig.read(`c/runs/${id}/ron.nodb`));
      expect(ron['py/state']).toMatchObject({
        wd: rig.path('c/runs', id),
        runid: id,
        config: 'disturbed9002.cfg',
      });
      const ws = JSON.parse(rig.read(`c/runs/${id}/watershed.nodb`))['py/state'];
      expect(ws.wd).toBe(rig.path('c/runs', id));
      expect(ws.hillslopes).toBe(6);
    }
    const outlet = JSON.parse(rig.read('c/runs/bear-river-s-fork-16/watershed/outlet.geojson'));
    expect(outlet).toEqual({
      type: 'Feature',
      properties: {
        name: "Bear River's Fork",
        runid: 'bear-river-s-fork-16',
        tool: 'find_outlet',
        row: 7,
        column: 3,
        elevation: 1207.5,
      },
      geometry: { type: 'Point', coordinates: [-111.37, 41.91] },
    });
    expect(rig.read('c/runs/rio-chama-13/dem/dem.asc').split('\n').slice(0, 2)).toEqual([
      'ncols 8',
      'nrows 8',
    ]);
    expect(readdirSync(rig.path('c/runs/lochsa-river-17/omni/scenarios')).sort()).toEqual([
      'mulch',
      'uniform_high',
      'uniform_low',
    ]);
    expect(rig.read('c/runs/lochsa-river-17/omni/scenarios.summary.csv').split('\n')[0]).toBe(
      'scenario,sediment_t_yr',
    );
    expect(readdirSync(rig.path('c/runs/upper-salmon-17/soils')).sort()).toEqual([
      '2485.sol',
      '2490.sol',
      'soils.csv',
    ]);

    // Nothing is left to do: a second run hands nothing over.
    expect(wouldRun(file)).toEqual({ head: 'would run 0 of 34 selected tasks (34 up to date)', ids: [] });
  }, 300_000);

  it('retries what failed, rebuilds by force, filters by run id and index range, cancels, and keeps the audit history', async () => {
    const file = copy('h');
    // WEPP fails for one watershed: three attempts (two retries), then its dependents are skipped.
    const failing = rig.run(['run', file, '--ui', 'plain', ...cores], {
      env: { ...quick, WEPP_FAIL: 'wepp@lochsa-river-17' },
    });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/\] failed: 30 succeeded, 1 failed, 3 skipped in [0-9.]+s\n/);
    expect(failing.stdout).toContain(
      '    | wepp: lochsa-river-17: wepp exited with status 1 (asked by WEPP_FAIL=wepp@lochsa-river-17)\n',
    );
    let s = status(file);
    expect(s.run.status).toBe('failed');
    const expected = uniform('succeeded', 1);
    expected['lochsa-river-17']!.wepp = ['failed', 3];
    expected['lochsa-river-17']!.watar = ['skipped', 0];
    expected['lochsa-river-17']!.omni = ['skipped', 0];
    expect(ledger(s)).toEqual(expected);
    const wepp = s.tasks.find((t) => t.id === 'watershed.wepp[lochsa-river-17]')!;
    expect(wepp.attempts!.map((a) => [a.n, a.state, a.failure])).toEqual([
      [1, 'failed', 'failed'],
      [2, 'failed', 'failed'],
      [3, 'failed', 'failed'],
    ]);
    expect(wepp.message).toBe('exit code 1');
    expect(s.tasks.find((t) => t.id === 'manifest')!.state).toBe('skipped');
    const failedList = rig.run(['status', file, '--failed']).stdout;
    expect(failedList.split('\n')[0]).toBe(
      'watershed.wepp[lochsa-river-17]  failed (attempt 3): exit code 1',
    );

    const log = rig.run(['logs', 'watershed.wepp[lochsa-river-17]', file, '--err', '--attempt', '2']);
    expect(log.code).toBe(0);
    expect(log.stdout).toBe(
      'wepp: lochsa-river-17: wepp exited with status 1 (asked by WEPP_FAIL=wepp@lochsa-river-17)\n',
    );

    // Retry failed: only the failed run id's rest of the chain, and the manifest.
    expect(wouldRun(file, '--retry-failed').ids).toEqual([
      'watershed.wepp[lochsa-river-17]',
      'watershed.watar[lochsa-river-17]',
      'watershed.omni[lochsa-river-17]',
      'manifest',
    ]);
    const retry = rig.run(
      ['run', file, '--retry-failed', '--ui', 'plain', '--reason', 'WEPP fixed', ...cores],
      {
        env: quick,
      },
    );
    expect(retry.stderr).toBe('');
    expect(retry.code).toBe(0);
    expect(retry.stdout).toMatch(/\] succeeded: 34 succeeded in [0-9.]+s\n$/);
    expect(ran(retry.stdout)).toEqual([
      'manifest',
      'watershed.omni[lochsa-river-17]',
      'watershed.watar[lochsa-river-17]',
      'watershed.wepp[lochsa-river-17]',
    ]);
    s = status(file);
    expect(s.totals.succeeded).toBe(34);
    expect(
      s.tasks.find((t) => t.id === 'watershed.wepp[lochsa-river-17]')!.attempts!.map((a) => a.state),
    ).toEqual(['failed', 'failed', 'failed', 'succeeded']);

    // Force rebuild of one step for every watershed.
    expect(wouldRun(file, '--only', 'watershed.omni').head).toBe(
      'would run 0 of 4 selected tasks (4 up to date)',
    );
    const force = rig.run(
      [
        'run',
        file,
        '--only',
        'watershed.omni',
        '--force',
        '--reason',
        'new scenarios',
        '--ui',
        'plain',
        ...cores,
      ],
      { env: quick },
    );
    expect(force.code).toBe(0);
    expect(force.stdout).toMatch(/\] succeeded: 4 succeeded in [0-9.]+s\n$/);
    // One run id, whole chain; an index range, one step.
    const one = rig.run(
      ['run', file, '--only', 'watershed[rio-chama-13]', '--force', '--ui', 'plain', ...cores],
      {
        env: quick,
      },
    );
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/\] succeeded: 8 succeeded in [0-9.]+s\n$/);
    const range = rig.run(
      ['run', file, '--only', 'watershed.wepp', '--index', '1..2', '--force', '--ui', 'plain', ...cores],
      { env: quick },
    );
    expect(range.code).toBe(0);
    expect(range.stdout).toMatch(/\] succeeded: 2 succeeded in [0-9.]+s\n$/);
    s = status(file);
    expect(
      Object.fromEntries(RUN_IDS.map((id) => [id, [ledger(s)[id]!.omni![1], ledger(s)[id]!.wepp![1]]])),
    ).toEqual({
      'upper-salmon-17': [2, 1],
      'lochsa-river-17': [2, 5],
      'bear-river-s-fork-16': [2, 2],
      'rio-chama-13': [3, 2],
    });

    // Cancel a run while its head runs it: the head stops, and the cancel is in the history.
    const head = rig.start(
      ['run', file, '--only', 'watershed.delineation', '--force', '--ui', 'plain', ...cores],
      {
        env: { WEPP_TASK_SECONDS: '600' },
      },
    );
    const deadline = Date.now() + 120_000;
    // All three workers busy, the fourth watershed waiting for one.
    const running = () =>
      status(file).tasks.filter((t) => t.node === 'watershed.delineation' && t.state === 'running').length;
    while (running() < 3) {
      if (Date.now() > deadline)
        throw new Error(`three delineations never ran: ${JSON.stringify(head.output())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const cancel = rig.run(['cancel', file, '--reason', 'wrong DEM tiles']);
    expect(cancel.stderr).toBe('');
    expect(cancel.code).toBe(0);
    expect(cancel.stdout.split('\n').at(-2)).toBe('cancelled');
    expect((await head.done).code).toBe(130);
    expect(status(file).run.status).toBe('cancelled');

    const by = `${userInfo().username}@${hostname()}`;
    const history = rig.run(['history', file]);
    expect(history.code).toBe(0);
    const rows = history.stdout
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, 'T')
      .replace(/\d{8}_\d{6}_run/g, 'RUN_')
      .replaceAll(by, 'USER@HOST')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {2,}/).slice(1));
    const c = 'campaign run h/campaign.toml';
    expect(rows).toEqual([
      ['RUN', 'ACTION', 'BY', 'STATUS', 'SELECTION', 'REASON', 'COMMAND'],
      ['RUN_001', 'run', 'USER@HOST', 'failed', 'all (34 tasks)', '-', `${c} --ui plain --cores 8`],
      [
        'RUN_002',
        'retry',
        'USER@HOST',
        'succeeded',
        '--retry-failed (34 tasks)',
        'WEPP fixed',
        `${c} --retry-failed --ui plain --reason 'WEPP fixed' --cores 8`,
      ],
      [
        'RUN_003',
        'force',
        'USER@HOST',
        'succeeded',
        '--only watershed.omni --force (4 tasks)',
        'new scenarios',
        `${c} --only watershed.omni --force --reason 'new scenarios' --ui plain --cores 8`,
      ],
      [
        'RUN_004',
        'force',
        'USER@HOST',
        'succeeded',
        '--only watershed[rio-chama-13] --force (8 tasks)',
        '-',
        `${c} --only 'watershed[rio-chama-13]' --force --ui plain --cores 8`,
      ],
      [
        'RUN_005',
        'force',
        'USER@HOST',
        'succeeded',
        '--only watershed.wepp --index 1..2 --force (2 tasks)',
        '-',
        `${c} --only watershed.wepp --index 1..2 --force --ui plain --cores 8`,
      ],
      [
        'RUN_006',
        'force',
        'USER@HOST',
        'cancelled',
        '--only watershed.delineation --force (4 tasks)',
        '-',
        `${c} --only watershed.delineation --force --ui plain --cores 8`,
      ],
      [
        'RUN_006',
        'cancel',
        'USER@HOST',
        'cancelled',
        'all (4 tasks)',
        'wrong DEM tiles',
        "campaign cancel h/campaign.toml --reason 'wrong DEM tiles'",
      ],
    ]);
    const json = JSON.parse(rig.run(['history', file, '--json']).stdout) as Record<string, unknown>[];
    expect(json.map((e) => [e.action, e.user, e.host, e.reason ?? null])).toEqual([
      ['run', userInfo().username, hostname(), null],
      ['retry', userInfo().username, hostname(), 'WEPP fixed'],
      ['force', userInfo().username, hostname(), 'new scenarios'],
      ['force', userInfo().username, hostname(), null],
      ['force', userInfo().username, hostname(), null],
      ['force', userInfo().username, hostname(), null],
      ['cancel', userInfo().username, hostname(), 'wrong DEM tiles'],
    ]);
    // `campaign runs`: who ran each, and why.
    const runs = rig
      .run(['runs', file])
      .stdout.replaceAll(by, 'USER@HOST')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {2,}/));
    expect(runs.map((r) => [r[3], r.at(-2), r.at(-1)])).toEqual([
      ['STATUS', 'WHO', 'WHY'],
      ['failed', '30 succeeded, 1 failed, 3 skipped', 'USER@HOST'],
      ['succeeded', 'USER@HOST', 'WEPP fixed'],
      ['succeeded', 'USER@HOST', 'new scenarios'],
      ['succeeded', '8 succeeded', 'USER@HOST'],
      ['succeeded', '2 succeeded', 'USER@HOST'],
      ['cancelled', '1 pending, 3 cancelled', 'USER@HOST'],
    ]);
  }, 600_000);
});

/** A square polygon of half a degree at (x, y). */
function square(x: number, y: number) {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + 0.5, y],
        [x + 0.5, y + 0.5],
        [x, y + 0.5],
        [x, y],
      ],
    ],
  };
}
