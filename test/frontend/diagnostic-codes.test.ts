import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/config/diagnostic.js';
import { bin, Rig, repo } from '../rig.js';

/**
 * docs/diagnostics.md documents every code of `DIAGNOSTIC_CODES` under a `### \`code\`` heading.
 * A section's fenced blocks with a file name (```toml campaign.toml) are the example's files, and
 * its ```console block is the command (`$ campaign ARGS`) and the exact output it prints (stdout
 * and stderr as a terminal shows them). A line `…` stands for any run of lines (the plan that
 * `campaign plan` prints before its diagnostics, diagnostics left out of a long list).
 */
const DOC = join(repo, 'docs/diagnostics.md');

/** Codes documented without a runnable example: no campaign file reaches them yet. */
const WITHOUT_EXAMPLE = new Set<string>([]);

interface Example {
  readonly files: Record<string, string>;
  readonly args: string[];
  readonly expected: string;
}

interface Section {
  readonly code: string;
  readonly example?: Example;
}

function parseDoc(text: string): Section[] {
  const sections: Section[] = [];
  const lines = text.split('\n');
  let code: string | undefined;
  let files: Record<string, string> = {};
  let example: Example | undefined;
  const close = () => {
    if (code !== undefined) sections.push({ code, ...(example ? { example } : {}) });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^### `([^`]+)`$/.exec(line);
    if (heading || /^##? /.test(line)) {
      close();
      code = heading?.[1];
      files = {};
      example = undefined;
      continue;
    }
    const fence = /^```(\S+)(?: (\S+))?$/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    if (code === undefined) continue;
    if (fence[1] === 'console') {
      const command = /^\$ campaign (.*)$/.exec(body[0] ?? '');
      if (!command) throw new Error(`${code}: a console block starts with "$ campaign ARGS"`);
      if (example) throw new Error(`${code}: more than one console block`);
      example = { files, args: words(command[1]!), expected: `${body.slice(1).join('\n')}\n` };
    } else if (fence[2]) {
      files = { ...files, [fence[2]]: `${body.join('\n')}\n` };
    }
  }
  close();
  return sections;
}

/** Splits a command line as a shell would for these examples: words, and 'quoted words'. */
function words(s: string): string[] {
  return [...s.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Expected output with `…` lines as a pattern that matches any run of lines there. */
function pattern(expected: string): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = mask(expected).split(/^…\n/m);
  return new RegExp(`^${parts.map(literal).join('(?:.*\\n)*?')}$`);
}

/** How long ago a past deadline was depends on today. */
const mask = (s: string) => s.replace(/passed (?:\d+[dhms])+ ago/g, 'passed … ago');

/** Runs `campaign ARGS` in `rig` with stdout and stderr on one file, as a terminal shows them. */
function run(rig: Rig, args: string[]): { code: number | null; output: string } {
  const name = rig.path('.output');
  const fd = openSync(name, 'w');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  delete env.FORCE_COLOR;
  delete env.CAMPAIGN_DOCS_UNSET;
  try {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd: rig.dir,
      env,
      stdio: ['ignore', fd, fd],
      timeout: 60_000,
    });
    return { code: r.status, output: readFileSync(name, 'utf8').split(rig.dir).join('.') };
  } finally {
    closeSync(fd);
  }
}

const sections = parseDoc(readFileSync(DOC, 'utf8'));
const rigs: Rig[] = [];
afterAll(() => {
  for (const r of rigs) r.cleanup();
});

describe('docs/diagnostics.md and DIAGNOSTIC_CODES', () => {
  it('documents every code once, and only codes the program has', () => {
    const documented = sections.map((s) => s.code);
    expect(documented.filter((c, i) => documented.indexOf(c) !== i)).toEqual([]);
    expect([...documented].sort()).toEqual([...DIAGNOSTIC_CODES].sort());
  });

  it('has a runnable example for every code that a campaign file can reach', () => {
    const without = sections.filter((s) => !s.example).map((s) => s.code);
    expect(without.sort()).toEqual([...WITHOUT_EXAMPLE].sort());
  });
});

describe('each example, run through the real binary, prints what the docs show', () => {
  for (const s of sections) {
    const example = s.example;
    if (!example) continue;
    it(s.code, () => {
      const rig = new Rig('campaign-diagnostic-codes-');
      rigs.push(rig);
      for (const [name, text] of Object.entries(example.files)) rig.write(name, text);
      const r = run(rig, example.args);
      expect(r.output).not.toMatch(/\bat .*\.js:\d+/);
      const first = new RegExp(`^\\S+:\\d+:\\d+: (error|warning): .* \\[${s.code}\\]$`, 'm').exec(r.output);
      const json = r.output.includes(`"code": "${s.code}"`);
      expect(first !== null || json, `the output names [${s.code}]`).toBe(true);
      expect(r.code).toBe(json || first?.[1] === 'error' ? 2 : 0);
      if (/^…$/m.test(example.expected)) expect(mask(r.output)).toMatch(pattern(example.expected));
      else expect(mask(r.output)).toBe(mask(example.expected));
    }, 60_000);
  }
});
