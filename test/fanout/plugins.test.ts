import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-plugins-');

/** The documented seed: SHA-256 of "<campaign seed>:<task id>", first 4 bytes, big-endian. */
const seedOf = (campaignSeed: number, taskId: string) =>
  createHash('sha256').update(`${campaignSeed}:${taskId}`).digest().readUInt32BE(0);
afterAll(() => rig.cleanup());

const ARGV = `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.ARGV_OUT, JSON.stringify(process.argv.slice(2)) + '\\n', { flag: 'a' });
`;

const GOOD = dedent(`
  import { readFileSync } from 'node:fs';
  import { resolve } from 'node:path';

  const sim = {
    name: 'sat-sim',
    description: 'Simulated timestreams of one band',
    paramsSchema: {
      type: 'object',
      required: ['band', 'nobs'],
      additionalProperties: false,
      properties: {
        band: { enum: ['f090', 'f150'] },
        nobs: { type: 'integer', minimum: 1 },
        list: { type: 'string' },
      },
    },
    command: (p, ctx) => ['node', 'argv.mjs', '--band', p.band, '--split', String(ctx.values?.split ?? '-'), '--seed', String(ctx.seed ?? 0), '--task', ctx.task],
    expand: (p) => Array.from({ length: 2 }, (_, split) => ({ id: 'half-' + split, values: { split, nobs: p.nobs / 2 } })),
    resources: (p, ctx) => ({
      memory: p.list ? readFileSync(resolve(ctx.dir, p.list), 'utf8').trim().split('\\n').length + 'G' : '1G',
      runtime: 60 * p.nobs,
    }),
  };
  export default { workflows: [sim] };
`);

describe('a plugin that adds a workflow type', () => {
  rig.write('good/argv.mjs', ARGV);
  rig.write('good/plugins/sim.mjs', GOOD);
  rig.write('good/obs.txt', 'a\nb\nc\n');
  rig.write(
    'good/campaign.toml',
    dedent(`
      [campaign]
      name = "good"
      plugins = ["plugins/sim.mjs"]
      seed = 5

      [campaign.sim]
      workflow = "sat-sim"
      params = { band = "f150", nobs = 10, list = "obs.txt" }
      env = { ARGV_OUT = "argv.txt" }
    `),
  );

  it('validates params, expands, builds each command and estimates resources', () => {
    const plan = rig.run(['plan', 'good/campaign.toml']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(
      [
        '└─ sim',
        '     run        workflow sat-sim',
        '     fan-out    workflow sat-sim (2)',
        '     instances  2: half-0, half-1',
        `     first      node argv.mjs --band f150 --split 0 --seed ${seedOf(5, 'sim[half-0]')} --task 'sim[half-0]'`,
        '     resources  1 core',
        '     estimate   3G, 10m (from the workflow type)',
      ].join('\n'),
    );
  });

  it('runs the commands it built', () => {
    const r = rig.run(['run', 'good/campaign.toml', '--ui', 'plain']);
    expect(r.code).toBe(0);
    const lines = readFileSync(rig.path('good/argv.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.sort()).toEqual(
      [
        [
          '--band',
          'f150',
          '--split',
          '0',
          '--seed',
          String(seedOf(5, 'sim[half-0]')),
          '--task',
          'sim[half-0]',
        ],
        [
          '--band',
          'f150',
          '--split',
          '1',
          '--seed',
          String(seedOf(5, 'sim[half-1]')),
          '--task',
          'sim[half-1]',
        ],
      ].sort(),
    );
  });

  it("checks params against the type's schema, at the exact keys", () => {
    rig.write(
      'good/bad-params.toml',
      dedent(`
        [campaign]
        name = "good"
        plugins = ["plugins/sim.mjs"]

        [campaign.sim]
        workflow = "sat-sim"
        [campaign.sim.params]
        band = "f100"
        nobs = "ten"
      `),
    );
    const r = rig.run(['validate', 'good/bad-params.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      dedent(`
        good/bad-params.toml:8:8: error: \`band\` must be one of "f090", "f150", not "f100" [bad-value]
          8 | band = "f100"
            |        ^^^^^^
          help: did you mean "f150"?

        good/bad-params.toml:9:8: error: \`nobs\` must be an integer, not a string [wrong-type]
          9 | nobs = "ten"
            |        ^^^^^

        2 errors
      `),
    );
  });
});

describe('plugins that fail: a diagnostic naming the plugin, never a crash', () => {
  const plugins: Record<string, string> = {
    'throws.mjs': "throw new Error('cannot import numpy');\n",
    'no-default.mjs': 'export const workflows = [];\n',
    'number.mjs': 'export default 42;\n',
    'not-array.mjs': "export default { workflows: 'all of them' };\n",
    'shapes.mjs': dedent(`
      const ok = { name: 'ok', description: 'd', paramsSchema: {}, command: () => 'true' };
      export default {
        workflows: [
          7,
          { name: '9lives', description: 'd', paramsSchema: {}, command: () => 'true' },
          { name: 'nocmd', description: 'd', paramsSchema: {} },
          { name: 'noschema', description: 'd', command: () => 'true' },
          { name: 'badexpand', description: 'd', paramsSchema: {}, command: () => 'true', expand: [] },
          { name: 'badschema', description: 'd', paramsSchema: { type: 'nonsense' }, command: () => 'true' },
          { ...ok, name: 'split' },
          ok,
        ],
      };
    `),
    'calls.mjs': dedent(`
      const base = { description: 'd', paramsSchema: {} };
      export default {
        workflows: [
          { ...base, name: 'cmd-throws', command: () => { throw new TypeError('params.band is undefined'); } },
          { ...base, name: 'cmd-number', command: () => 42 },
          { ...base, name: 'cmd-array', command: () => ['run', 3] },
          { ...base, name: 'cmd-promise', command: async () => 'true' },
          { ...base, name: 'expand-object', command: () => 'true', expand: () => ({ splits: 4 }) },
          { ...base, name: 'expand-values', command: () => 'true', expand: () => [{ values: 3 }] },
          { ...base, name: 'expand-throws', command: () => 'true', expand: () => { throw new Error('no observations'); } },
          { ...base, name: 'estimate-bad', command: () => 'true', resources: () => ({ memory: 'lots' }) },
        ],
      };
    `),
  };
  for (const [name, text] of Object.entries(plugins)) rig.write(`bad/plugins/${name}`, text);

  it('when loading: not found, throws, wrong exports, wrong shapes, invalid schema, name clash', async () => {
    rig.write(
      'bad/load.toml',
      dedent(`
        [campaign]
        name = "bad"
        plugins = [
          "plugins/missing.mjs",
          "plugins/throws.mjs",
          "plugins/no-default.mjs",
          "plugins/number.mjs",
          "plugins/not-array.mjs",
          "plugins/shapes.mjs",
        ]
        [campaign.a]
        workflow = "ok"
      `),
    );
    const r = rig.run(['validate', 'bad/load.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\bat .*\.m?js:\d+/);
    await expect(r.stderr).toMatchFileSnapshot('golden/plugins-that-fail-to-load.txt');
  });

  it('when called: throws, returns garbage, returns a promise', async () => {
    rig.write(
      'bad/calls.toml',
      dedent(`
        [campaign]
        name = "bad"
        plugins = ["plugins/calls.mjs"]
        [campaign.a]
        workflow = "cmd-throws"
        [campaign.b]
        workflow = "cmd-number"
        [campaign.c]
        workflow = "cmd-array"
        matrix = { x = [1, 2] }
        [campaign.d]
        workflow = "cmd-promise"
        [campaign.e]
        workflow = "expand-object"
        [campaign.f]
        workflow = "expand-values"
        [campaign.g]
        workflow = "expand-throws"
        [campaign.h]
        workflow = "estimate-bad"
      `),
    );
    const r = rig.run(['validate', 'bad/calls.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/\bat .*\.m?js:\d+/);
    await expect(r.stderr).toMatchFileSnapshot('golden/plugins-that-fail-when-called.txt');
  });
});
