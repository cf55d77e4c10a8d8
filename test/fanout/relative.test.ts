import { afterAll, describe, expect, it } from 'vitest';
import { spreadSets } from '../../src/cli/options.js';
import { parseRelative, parseSelector } from '../../src/model/expand/selector.js';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-relative-');
afterAll(() => rig.cleanup());

interface Graph {
  edges: { from: string; to: string; pairing?: unknown }[];
  task_edges: { from: string; to: string }[];
}

let n = 0;
function write(toml: string): string {
  const dir = `c${n++}`;
  rig.write(`${dir}/campaign.toml`, `[campaign]\nname = "rel"\n${dedent(toml)}`);
  return `${dir}/campaign.toml`;
}

/** The task graph of a campaign, through `graph --format json --all`. */
function graph(toml: string): Graph {
  const r = rig.run(['graph', write(toml), '--format', 'json', '--all']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Graph;
}

const edges = (g: Graph) => g.task_edges.map((e) => `${e.from} -> ${e.to}`).sort();

const STEPS = `
  [campaign.gen]
  matrix = { step = "1..3", batch = "0..1" }
  id = "RG{step}-b{batch}"
  command = "true"
  depends_on = ["agg[step={step-1}]"]
  [campaign.agg]
  matrix = { step = "1..3" }
  id = "RG{step}"
  command = "true"
  depends_on = ["gen"]
`;

describe('selectors with values of the dependent instance', () => {
  it('parses {key}, {key-N} and {key+N}; anything else in braces is no value', () => {
    expect(parseRelative('{step-1}')).toEqual({ key: 'step', path: ['step'], offset: -1 });
    expect(parseRelative('{ step + 2 }')).toEqual({ key: 'step', path: ['step'], offset: 2 });
    expect(parseRelative('{p.k}')).toEqual({ key: 'p.k', path: ['p', 'k'], offset: 0 });
    expect(parseRelative('{step*2}')).toBeUndefined();
    expect(parseRelative('3')).toBeUndefined();
    const bad = parseSelector('step={step-1');
    expect(bad.ok).toBe(false);
  });

  it('step k of gen waits for aggregate k-1; aggregate k waits for every batch of step k; step 1 waits for none', () => {
    const g = graph(STEPS);
    expect(edges(g)).toEqual([
      'agg[RG1] -> gen[RG2-b0]',
      'agg[RG1] -> gen[RG2-b1]',
      'agg[RG2] -> gen[RG3-b0]',
      'agg[RG2] -> gen[RG3-b1]',
      'gen[RG1-b0] -> agg[RG1]',
      'gen[RG1-b1] -> agg[RG1]',
      'gen[RG2-b0] -> agg[RG2]',
      'gen[RG2-b1] -> agg[RG2]',
      'gen[RG3-b0] -> agg[RG3]',
      'gen[RG3-b1] -> agg[RG3]',
    ]);
  });

  it('runs the steps in order, end to end', () => {
    const file = write(
      STEPS.replaceAll('command = "true"', `command = "echo {instance} >> ${rig.path('order.txt')}"`),
    );
    const r = rig.run(['run', file, '--ui', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const order = rig.read('order.txt').trim().split('\n');
    expect(order).toHaveLength(9);
    const at = (id: string) => order.indexOf(id);
    for (const k of [1, 2, 3]) {
      for (const b of [0, 1]) expect(at(`RG${k}-b${b}`)).toBeLessThan(at(`RG${k}`));
      if (k > 1) for (const b of [0, 1]) expect(at(`RG${k}-b${b}`)).toBeGreaterThan(at(`RG${k - 1}`));
    }
  });

  it('a node may wait for the previous instance of itself, and fixed conditions combine with it', () => {
    const g = graph(`
      [campaign.chain]
      matrix = { k = [1, 2, 3], part = ["a", "b"] }
      command = "true"
      depends_on = ["chain[k={k-1},part=a]"]
    `);
    expect(edges(g)).toEqual([
      'chain[1-a] -> chain[2-a]',
      'chain[1-a] -> chain[2-b]',
      'chain[2-a] -> chain[3-a]',
      'chain[2-a] -> chain[3-b]',
    ]);
  });

  it('{key} without offset pairs on the text of a value of another name', () => {
    const g = graph(`
      [campaign.fit]
      matrix = { model = ["x", "y"] }
      command = "true"
      [campaign.use]
      matrix = { m = ["y", "x", "z"] }
      command = "true"
      depends_on = ["fit[model={m}]"]
    `);
    expect(edges(g)).toEqual(['fit[x] -> use[x]', 'fit[y] -> use[y]']);
  });

  const diagnose = (toml: string) => {
    const file = write(toml);
    const r = rig.run(['validate', file]);
    expect(r.code).toBe(2);
    return r.stderr.replaceAll(file, 'campaign.toml');
  };

  it('a key the dependent instances lack is an error at the entry, with the nearest key', () => {
    expect(diagnose(STEPS.replace('{step-1}', '{stp-1}'))).toBe(
      [
        'campaign.toml:7:15: error: `agg[step={stp-1}]`: the instances of `gen` have no `stp` for `{stp-1}`; they have `step`, `batch` [bad-relative-selector]',
        '  7 | depends_on = ["agg[step={stp-1}]"]',
        '    |               ^^^^^^^^^^^^^^^^^^^',
        '  help: did you mean `{step-1}`?',
        '',
        '1 error',
        '',
      ].join('\n'),
    );
  });

  it('an offset on a value that is no integer is an error that names the instance', () => {
    expect(
      diagnose(`
        [campaign.gen]
        matrix = { step = ["a", "b"] }
        command = "true"
        depends_on = ["gen[step={step-1}]"]
      `),
    ).toContain(
      'error: `gen[step={step-1}]`: instance `a` of `gen` has `step` = `a`, not an integer, so `{step-1}` has no value [bad-relative-selector]',
    );
  });

  it('a dependent without fan-out, a malformed value, and a selection of nothing are errors', () => {
    const base = `
      [campaign.gen]
      matrix = { step = "1..2" }
      command = "true"
      [campaign.one]
      command = "true"
    `;
    expect(diagnose(`${base}depends_on = ["gen[step={step}]"]\n`)).toContain(
      '`gen[step={step}]`: `{step}` takes `step` from the instances of `one`, but `one` is not fanned out [bad-relative-selector]',
    );
    expect(diagnose(STEPS.replace('{step-1}', '{step-1'))).toContain(
      '`agg[step={step-1]`: `{step-1` is not a value of the dependent instance; write `{key}`, `{key-1}` or `{key+1}` [bad-selector]',
    );
    expect(diagnose(STEPS.replace('{step-1}', '{step+7}'))).toContain(
      '`agg[step={step+7}]` selects no instance of `agg` for any instance of `gen` [empty-selection]',
    );
  });

  it('an instance that would wait for itself is a cycle between instances, with each edge', () => {
    const out = diagnose(STEPS.replace('{step-1}', '{step}'));
    expect(out).toContain(
      [
        'campaign.toml:7:15: error: dependency cycle between instances: agg[RG1] → gen[RG1-b0] → agg[RG1] [cycle]',
        '  7 | depends_on = ["agg[step={step}]"]',
        '    |               ^^^^^^^^^^^^^^^^^^',
        '  note: campaign.toml:12:15: `agg[RG1]` waits for `gen[RG1-b0]`',
      ].join('\n'),
    );
    expect(out).toContain(
      '  help: an instance cannot wait for itself: select other instances, such as `{step-1}`',
    );
    expect(out).toMatch(/\n3 errors\n$/);
  });
});

describe('--set a=1 b=2', () => {
  it('the words after a --set value that read as path=value are overrides too', () => {
    expect(spreadSets(['f.toml', '--set', 'a=1', 'b.c=2', '"x.y".z=3', '--ui', 'plain'])).toEqual([
      'f.toml',
      '--set',
      'a=1',
      '--set',
      'b.c=2',
      '--set',
      '"x.y".z=3',
      '--ui',
      'plain',
    ]);
    // The campaign file ends the run of overrides; so does `--`.
    expect(spreadSets(['--set', 'a=1', 'f.toml', 'b=2'])).toEqual(['--set', 'a=1', 'f.toml', 'b=2']);
    expect(spreadSets(['--set=a=1', 'b=2', '--', 'c=3'])).toEqual(['--set=a=1', '--set', 'b=2', '--', 'c=3']);
    expect(spreadSets(['-s', 'a=1', 'b=2'])).toEqual(['-s', 'a=1', '--set', 'b=2']);
  });

  it('both forms give the same campaign through the binary', () => {
    const file = write(`
      [campaign.vars]
      steps = "2"
      samples = "10"
      [campaign.gen]
      command = "echo \${steps} \${samples}"
    `);
    const plan = (...set: string[]) => rig.run(['plan', file, ...set]);
    const a = plan('--set', 'vars.steps=3', '--set', 'vars.samples=10000');
    const b = plan('--set', 'vars.steps=3', 'vars.samples=10000');
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('run        echo 3 10000\n');
    expect(b.stdout).toBe(a.stdout);
    // A bad override in the second place is reported against it.
    const bad = plan('--set', 'vars.steps=3', 'gen.retries=lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--set:');
  });
});
