import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { cases } from './cases.js';

const rig = new Rig();
afterAll(() => rig.cleanup());

const slug = (s: string) => s.replace(/[^a-z0-9]+/gi, '-');

describe('diagnostics: exact output, exit code 2, no stack trace', () => {
  for (const c of cases) {
    for (const format of ['toml', 'yaml'] as const) {
      const text = c[format];
      if (!text) continue;
      it(`${c.name} (${format})`, async () => {
        const file = `${slug(c.name)}.${format}`;
        rig.write(file, text);
        const r = rig.run(['validate', file, ...(c.args ?? [])], { env: c.env ?? {} });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
        await expect(r.stderr).toMatchFileSnapshot(`golden/${slug(c.name)}.${format}.txt`);
      });
    }
  }
});

describe('diagnostics as JSON', () => {
  it('reports position, marker range, source line, suggestion and related locations', () => {
    rig.write(
      'json.toml',
      '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\ndepends_on = ["b"]\n[campaign.b]\ncommand = "true"\ndepends_on = ["a", "cc"]\n',
    );
    const r = rig.run(['validate', 'json.toml', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      file: 'json.toml',
      ok: false,
      errors: 2,
      warnings: 0,
      diagnostics: [
        {
          severity: 'error',
          code: 'cycle',
          message: 'dependency cycle: a → b → a',
          file: 'json.toml',
          line: 5,
          column: 15,
          endColumn: 18,
          source: 'depends_on = ["b"]',
          suggestion: 'remove one of these dependencies',
          related: [
            {
              message: '`a` depends on `b`',
              file: 'json.toml',
              line: 5,
              column: 15,
              endColumn: 18,
              source: 'depends_on = ["b"]',
            },
            {
              message: '`b` depends on `a`',
              file: 'json.toml',
              line: 8,
              column: 15,
              endColumn: 18,
              source: 'depends_on = ["a", "cc"]',
            },
          ],
        },
        {
          severity: 'error',
          code: 'unknown-dependency',
          message: '`b` depends on `cc`, which is not defined',
          file: 'json.toml',
          line: 8,
          column: 20,
          endColumn: 24,
          source: 'depends_on = ["a", "cc"]',
          suggestion: 'depends_on takes sibling names or dotted paths from the campaign root',
          related: [],
        },
      ],
    });
  });

  it('reports every problem at once, in file order', () => {
    rig.write(
      'many.toml',
      '[campaign]\nname = "x"\n[campaign.a]\ncommand = "true"\nretries = -1\nresources = { memory = "2X" }\ndepends_on = ["zzz"]\n',
    );
    const r = rig.run(['validate', 'many.toml', '--format', 'json']);
    const codes = (JSON.parse(r.stdout) as { diagnostics: { code: string; line: number }[] }).diagnostics.map(
      (d) => `${d.line}:${d.code}`,
    );
    expect(codes).toEqual(['5:bad-value', '6:bad-unit', '7:unknown-dependency']);
  });
});

describe('files that cannot be read', () => {
  it('names the file, exit 2', () => {
    const r = rig.run(['validate', 'missing.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cannot read missing.toml: no such file\n');
  });
});
