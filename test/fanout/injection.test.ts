import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';

const rig = new Rig('campaign-injection-');
afterAll(() => rig.cleanup());

/** A fixture that records its argv and one environment variable, as JSON, in $ARGV_OUT. */
const ARGV = `import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
mkdirSync(dirname(process.env.ARGV_OUT), { recursive: true });
writeFileSync(process.env.ARGV_OUT, JSON.stringify({ argv: process.argv.slice(2), evil: process.env.EVIL }));
`;

const marker = join(tmpdir(), `pwned-${process.pid}-${Date.now()}`);
const pwnedBefore = existsSync('/tmp/pwned');

/** Values that a shell would run, split or escape from, if they were ever evaluated. */
const HOSTILE = [
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `x; touch ${marker}`,
  `x && touch ${marker} || touch /tmp/pwned`,
  `it's "quoted" \\ back`,
  `two\nlines; touch ${marker}`,
  '../../etc',
  '$(touch /tmp/pwned)',
  '--help',
  '',
  '*',
];

const csvField = (v: string) => `"${v.replace(/"/g, '""')}"`;

describe('item values in commands are never evaluated', () => {
  rig.write('argv.mjs', ARGV);
  rig.write('data/evil.csv', `name\n${HOSTILE.map(csvField).join('\n')}\n`);
  rig.write(
    'campaign.toml',
    dedent(`
      [campaign]
      name = "injection"

      # A shell string: each value is quoted into one word.
      [campaign.shell]
      foreach = "data/evil.csv"
      command = "node argv.mjs {name} --then x{name}y"
      env = { ARGV_OUT = "out/shell-{index}.json", EVIL = "{name}" }

      # An argv array: each value is (part of) one argument.
      [campaign.argv]
      foreach = "data/evil.csv"
      command = ["node", "argv.mjs", "--name={name}", "{name}"]
      env = { ARGV_OUT = "out/argv-{index}.json" }
    `),
  );

  it('the exact argv reaches the program, and no file appears', () => {
    const r = rig.run(['run', 'campaign.toml', '--ui', 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    HOSTILE.forEach((value, i) => {
      const shell = JSON.parse(readFileSync(rig.path(`out/shell-${i}.json`), 'utf8'));
      expect(shell).toEqual({ argv: [value, '--then', `x${value}y`], evil: value });
      const argv = JSON.parse(readFileSync(rig.path(`out/argv-${i}.json`), 'utf8'));
      expect(argv.argv).toEqual([`--name=${value}`, value]);
    });
    expect(existsSync(marker)).toBe(false);
    if (!pwnedBefore) expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('plan shows the quoted command of the first instance', () => {
    const r = rig.run(['plan', 'campaign.toml']);
    expect(r.stdout).toContain(`first      node argv.mjs '$(touch ${marker})' --then x'$(touch ${marker})'y`);
    expect(r.stdout).toContain(`first      node argv.mjs '--name=$(touch ${marker})' '$(touch ${marker})'`);
  });

  it('hostile values cannot become ids: each is refused with its reason', () => {
    rig.write(
      'ids.toml',
      dedent(`
        [campaign]
        name = "ids"
        [campaign.a]
        foreach = "data/evil.csv"
        id = "{name}"
        command = "true"
      `),
    );
    const r = rig.run(['validate', 'ids.toml']);
    expect(r.code).toBe(2);
    const reasons = r.stderr
      .split('\n')
      .filter((l) => l.includes('error:'))
      .map((l) => l.replace(/^.*?error: /, ''));
    expect(reasons).toEqual([
      `item 0 (data/evil.csv line 2) has the id \`$(touch ${marker})\`, which contains \`/\` [unsafe-id]`,
      `item 1 (data/evil.csv line 3) has the id \`\`touch ${marker}\`\`, which contains \`/\` [unsafe-id]`,
      `item 2 (data/evil.csv line 4) has the id \`x; touch ${marker}\`, which contains \`/\` [unsafe-id]`,
      `item 3 (data/evil.csv line 5) has the id \`x && touch ${marker} || touch /tmp/pwned\`, which contains \`/\` [unsafe-id]`,
      `item 4 (data/evil.csv line 6) has the id \`it's \\"quoted\\" \\\\ back\`, which contains \`\\\` [unsafe-id]`,
      `item 5 (data/evil.csv line 7) has the id \`two\\nlines; touch ${marker}\`, which contains a control character (U+000A) [unsafe-id]`,
      'item 6 (data/evil.csv line 9) has the id `../../etc`, which contains `/` [unsafe-id]',
      'item 7 (data/evil.csv line 10) has the id `$(touch /tmp/pwned)`, which contains `/` [unsafe-id]',
      'item 8 (data/evil.csv line 11) has the id `--help`, which starts with `-` (commands would read it as an option) [unsafe-id]',
      'item 9 (data/evil.csv line 12) has the id ``, which is empty [unsafe-id]',
      'item 10 (data/evil.csv line 13) has the id `*`, which contains `*`; ids may hold letters, digits, `_`, `-`, `.`, `+` and `@` [unsafe-id]',
    ]);
  });
});
