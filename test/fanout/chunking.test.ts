import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-chunk-');
afterAll(() => rig.cleanup());

/** The documented seed: SHA-256 of "<campaign seed>:<task id>", first 4 bytes, big-endian. */
const seedOf = (campaignSeed: number, taskId: string) =>
  createHash('sha256').update(`${campaignSeed}:${taskId}`).digest().readUInt32BE(0);

/**
 * A task of many items: records what it was given (argv, manifest, index, instance) in
 * out/task-<index>.json, and writes each item's output out/<basin>/<draw>.txt.
 */
const TASK = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const items = JSON.parse(readFileSync(process.env.CAMPAIGN_ITEMS, 'utf8'));
mkdirSync('out', { recursive: true });
writeFileSync('out/task-' + process.env.CAMPAIGN_TASK_INDEX + '.json', JSON.stringify({
  argv: process.argv.slice(2),
  index: process.env.CAMPAIGN_TASK_INDEX,
  instance: process.env.CAMPAIGN_INSTANCE,
  seed: process.env.CAMPAIGN_SEED,
  items,
}));
for (const { values } of items) {
  mkdirSync('out/' + values.basin, { recursive: true });
  writeFileSync('out/' + values.basin + '/' + values.draw + '.txt', 'ok\\n');
}
`;

const CHECK = `import { readFileSync } from 'node:fs';
process.exit(readFileSync(process.argv[2], 'utf8') === 'ok\\n' ? 0 : 1);
`;

const CAMPAIGN = dedent(`
  [campaign]
  name = "chunks"
  seed = 99

  [campaign.level4]
  matrix = { basin = ["EP", "NA", "SI"], draw = "0..9" }
  id = "{basin}-{draw:02}"
  chunk = 8
  skip_complete = true
  command = ["node", "task.mjs", "--task-id", "{index}", "--seed", "{seed}"]
  outputs = ["out/{basin}/{draw}.txt"]
  check = ["node", "check.mjs", "out/{basin}/{draw}.txt"]
`);

interface TaskRecord {
  argv: string[];
  index: string;
  instance: string;
  seed: string;
  items: { instance: string; index: number; seed: number; values: { basin: string; draw: number } }[];
}

const records = (): TaskRecord[] =>
  readdirSync(rig.path('out'))
    .filter((f) => f.startsWith('task-'))
    .sort()
    .map((f) => JSON.parse(readFileSync(rig.path('out', f), 'utf8')) as TaskRecord);

describe('chunk = N bundles items into tasks', () => {
  rig.write('task.mjs', TASK);
  rig.write('check.mjs', CHECK);
  rig.write('campaign.toml', CAMPAIGN);

  it('spreads 30 items evenly over ceil(30 / 8) = 4 tasks: 8, 8, 7, 7', () => {
    const r = rig.run(['expand', 'campaign.toml', '--format', 'json']);
    expect(JSON.parse(r.stdout).nodes).toEqual([
      { node: 'level4', instances: 30, tasks: 4, chunk: 8, complete: [] },
    ]);
    const plan = rig.run(['plan', 'campaign.toml', '--all']);
    expect(plan.stdout).toContain(
      [
        '└─ level4',
        '     run        node task.mjs --task-id {index} --seed {seed}',
        '     fan-out    matrix basin (3) × draw (10), id "{basin}-{draw:02}"',
        '     instances  30: EP-00 … SI-09',
        '     tasks      4 of 7-8 items: level4[chunk-0000] … level4[chunk-0003]',
        `     first      node task.mjs --task-id 0 --seed ${seedOf(99, 'level4[chunk-0000]')}`,
        '     resources  1 core',
        '     outputs    out/{basin}/{draw}.txt',
        '       level4[chunk-0000]  8 items: EP-00, EP-01, EP-02, EP-03, EP-04, EP-05, EP-06, EP-07',
        '       level4[chunk-0001]  8 items: EP-08, EP-09, NA-00, NA-01, NA-02, NA-03, NA-04, NA-05',
        '       level4[chunk-0002]  7 items: NA-06, NA-07, NA-08, NA-09, SI-00, SI-01, SI-02',
        '       level4[chunk-0003]  7 items: SI-03, SI-04, SI-05, SI-06, SI-07, SI-08, SI-09',
      ].join('\n'),
    );
  });

  it('each task gets its items as a manifest ($CAMPAIGN_ITEMS), its index, and its own seed', () => {
    const r = rig.run(['run', 'campaign.toml', '--ui', 'plain']);
    expect(r.code).toBe(0);
    const tasks = records();
    expect(tasks.map((t) => [t.index, t.instance, t.items.length])).toEqual([
      ['0', 'chunk-0000', 8],
      ['1', 'chunk-0001', 8],
      ['2', 'chunk-0002', 7],
      ['3', 'chunk-0003', 7],
    ]);
    expect(tasks[2]!.argv).toEqual(['--task-id', '2', '--seed', String(seedOf(99, 'level4[chunk-0002]'))]);
    expect(tasks[2]!.seed).toBe(String(seedOf(99, 'level4[chunk-0002]')));
    // Every item once, in order, with its instance id, position and seed.
    const items = tasks.flatMap((t) => t.items);
    expect(items.map((i) => i.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(items[12]).toEqual({
      instance: 'NA-02',
      index: 12,
      seed: seedOf(99, 'level4[NA-02]'),
      values: { basin: 'NA', draw: 2 },
    });
  });

  it('skip_complete leaves out, before chunking, the items whose outputs exist and pass the check', () => {
    rmSync(rig.path('out/EP/3.txt'));
    rmSync(rig.path('out/NA/9.txt'));
    writeFileSync(rig.path('out/SI/0.txt'), 'corrupt\n');
    for (const f of readdirSync(rig.path('out'))) if (f.startsWith('task-')) rmSync(rig.path('out', f));

    const e = JSON.parse(rig.run(['expand', 'campaign.toml', '--format', 'json']).stdout);
    expect(e.nodes[0].tasks).toBe(1);
    expect(e.nodes[0].complete).toHaveLength(27);
    expect(e.nodes[0].complete).not.toContain('SI-00');

    const dry = rig.run(['run', 'campaign.toml', '--dry-run']);
    expect(dry.stdout).toBe(
      'would run 1 of 1 selected task (0 up to date):\n  level4[chunk-0000]  changed\n',
    );
    expect(rig.run(['run', 'campaign.toml', '--ui', 'plain']).code).toBe(0);
    const [task] = records();
    expect(task!.items.map((i) => i.instance)).toEqual(['EP-03', 'NA-09', 'SI-00']);
    expect(readFileSync(rig.path('out/SI/0.txt'), 'utf8')).toBe('ok\n');
    // Everything is complete now: nothing is left to run.
    const after = rig.run(['run', 'campaign.toml', '--dry-run']);
    expect({ code: after.code, stdout: after.stdout, stderr: after.stderr }).toEqual({
      code: 0,
      stdout: 'would run 0 of 0 selected tasks (0 up to date)\n',
      stderr: '',
    });
  });
});

describe('instances of one item', () => {
  it('also get a manifest of their one item, and the values in their command and env', () => {
    rig.write(
      'one/task.mjs',
      `import { readFileSync, writeFileSync } from 'node:fs';
writeFileSync('out-' + process.env.CAMPAIGN_INSTANCE + '.json', JSON.stringify({
  argv: process.argv.slice(2), basin: process.env.BASIN, index: process.env.CAMPAIGN_TASK_INDEX,
  items: JSON.parse(readFileSync(process.env.CAMPAIGN_ITEMS, 'utf8')) }));
`,
    );
    rig.write(
      'one/campaign.toml',
      dedent(`
        [campaign]
        name = "one"
        [campaign.a]
        matrix = { basin = ["EP", "NA"] }
        command = ["node", "task.mjs", "{basin}", "{index}", "{instance}"]
        env = { BASIN = "basin {basin}" }
      `),
    );
    expect(rig.run(['run', 'one/campaign.toml', '--ui', 'plain']).code).toBe(0);
    expect(JSON.parse(readFileSync(rig.path('one/out-NA.json'), 'utf8'))).toEqual({
      argv: ['NA', '1', 'NA'],
      basin: 'basin NA',
      index: '1',
      items: [{ instance: 'NA', index: 1, seed: seedOf(0, 'a[NA]'), values: { basin: 'NA' } }],
    });
  });

  it('a changed item makes only its own instance stale', () => {
    rig.write(
      'stale/campaign.toml',
      dedent(`
        [campaign]
        name = "stale"
        [campaign.a]
        foreach = "data.csv"
        id = "{name}"
        command = "true"
      `),
    );
    rig.write('stale/data.csv', 'name,size\nx,1\ny,2\n');
    expect(rig.run(['run', 'stale/campaign.toml', '--ui', 'plain']).code).toBe(0);
    rig.write('stale/data.csv', 'name,size\nx,1\ny,3\nz,4\n');
    expect(rig.run(['run', 'stale/campaign.toml', '--dry-run']).stdout).toBe(
      'would run 2 of 3 selected tasks (1 up to date):\n  a[y]  changed\n  a[z]  new\n',
    );
  });
});
