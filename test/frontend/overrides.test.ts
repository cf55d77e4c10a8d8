import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-overrides-');
afterAll(() => rig.cleanup());

rig.write(
  'c.toml',
  dedent(`
    [campaign]
    name = "c"

    [campaign.vars]
    out = "out"
    version = "v1"
    at = "noon"
    steps = 3

    [campaign.a]
    command = "echo \${out} \${version} \${at} \${steps}"

    [campaign.b]
    command = "printf %s \\"$X\\" > x.txt"
    env = { X = "x" }
  `),
);

/** The command of node `id` as `graph --format json` shows it, with the given overrides. */
function commandWith(id: string, ...sets: string[]): string {
  const r = rig.run(['graph', 'c.toml', '--format', 'json', ...sets.flatMap((s) => ['--set', s])]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const nodes = JSON.parse(r.stdout).nodes as { id: string; command: string }[];
  return nodes.find((n) => n.id === id)!.command;
}

describe('--set keeps the exact spelling of a value for a string setting', () => {
  it('a string variable takes the text as written: 1.10, 0x10 and 12:30:00 stay themselves', () => {
    expect(commandWith('a', 'vars.out=1.10', 'vars.version=0x10', 'vars.at=12:30:00')).toBe(
      'echo 1.10 0x10 12:30:00 3',
    );
  });

  it('a value in quotes is that TOML string', () => {
    expect(commandWith('a', 'vars.out="a b"')).toBe('echo a b v1 noon 3');
  });

  it('a numeric variable takes the TOML number', () => {
    expect(commandWith('a', 'vars.steps=0x10')).toBe('echo out v1 noon 16');
  });

  it('an environment value keeps its spelling (run)', () => {
    const r = rig.run(['run', 'c.toml', '--only', 'b', '--ui', 'plain', '--set', 'b.env.X=1.10']);
    expect(r.code).toBe(0);
    expect(rig.read('x.txt')).toBe('1.10');
  });

  it('a variable the file uses without defining it can be given', () => {
    rig.write('u.toml', '[campaign]\nname = "u"\n[campaign.a]\ncommand = "echo ${dest}"\n');
    const r = rig.run(['graph', 'u.toml', '--format', 'json', '--set', 'vars.dest=1.50']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).nodes[0].command).toBe('echo 1.50');
  });
});

describe('--set problems', () => {
  it('a variable the campaign neither defines nor uses is a warning with the nearest name', () => {
    const r = rig.run(['validate', 'c.toml', '--set', 'vars.verison=v2', '--set', 'vars.zzz=1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('c.toml: ok (2 nodes, 0 groups, 0 edges)\n');
    expect(r.stderr).toBe(
      dedent(`
        --set:1:1: warning: the campaign has no variable \`verison\` and uses no \`\${verison}\`: this \`--set\` changes nothing [unknown-variable]
          1 | vars.verison=v2
            | ^^^^^^^^^^^^
          help: did you mean \`vars.version\`?

        --set:1:1: warning: the campaign has no variable \`zzz\` and uses no \`\${zzz}\`: this \`--set\` changes nothing [unknown-variable]
          1 | vars.zzz=1
            | ^^^^^^^^
          help: its variables: \`out\`, \`version\`, \`at\`, \`steps\`

        2 warnings
      `),
    );
  });

  it('a number for a numeric setting is still read as a number, and checked', () => {
    const r = rig.run(['validate', 'c.toml', '--set', 'a.retries=1e9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      dedent(`
        --set:1:11: error: \`retries\` must be at most 100, not 1000000000 [bad-value]
          1 | a.retries=1e9
            |           ^^^

        1 error
      `),
    );
  });
});
