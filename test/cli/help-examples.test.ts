import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, repo } from '../rig.js';

// Every example of every command's --help, run as a user would type it, against a copy of the
// real campaigns/ folder: none may be a usage error.

/** The commands `campaign --help` lists. */
function commands(): string[] {
  const help = run(process.cwd(), [bin, '--help']).stdout;
  const list = help.slice(help.indexOf('Commands:\n') + 'Commands:\n'.length);
  return list
    .slice(0, list.indexOf('\n\n'))
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0]!)
    .filter(Boolean);
}

/** The lines under `Examples:` of a command's --help. */
function examples(command: string): string[] {
  const help = run(process.cwd(), [bin, command, '--help']).stdout;
  const at = help.indexOf('\nExamples:\n');
  if (at < 0) return [];
  return help
    .slice(at + '\nExamples:\n'.length)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function run(cwd: string, args: string[]) {
  return spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
}

const all = commands().flatMap((c) => examples(c).map((line) => ({ command: c, line })));
const root = mkdtempSync(join(tmpdir(), 'campaign-examples-'));
const home = join(root, 'home');
const binDir = join(root, 'bin');
/** An example without a campaign file runs in a campaign's folder, as a user would. */
const campaignDir = join(root, 'campaigns/so-mapmaking');

beforeAll(() => {
  // The campaigns as committed: no state or outputs of runs made in the repository.
  cpSync(join(repo, 'campaigns'), join(root, 'campaigns'), {
    recursive: true,
    filter: (src) => !['.campaign', 'out', 'runs', 'job_outputs', 'results'].includes(basename(src)),
  });
  mkdirSync(join(home, '.config/fish/completions'), { recursive: true });
  mkdirSync(join(home, '.zfunc'), { recursive: true });
  mkdirSync(binDir);
  // `campaign` on PATH records each call's exit code and standard error.
  writeFileSync(
    join(binDir, 'campaign'),
    `#!/bin/sh
n="$CALLS/$(date +%s%N).$$"
"${process.execPath}" "${bin}" "$@" 2>"$n.err"
code=$?
echo "$code" >"$n.code"
cat "$n.err" >&2
exit $code
`,
  );
  chmodSync(join(binDir, 'campaign'), 0o755);
  // The state the examples about finished runs read (logs, status, report, trace, collect).
  for (const c of ['so-mapmaking', 'batch-reassembly']) {
    const first = run(root, [bin, 'run', `campaigns/${c}/campaign.toml`, '--ui', 'plain']);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('help examples', () => {
  it('there are examples, and every command has some', () => {
    expect(all.length).toBeGreaterThan(20);
    const without = commands().filter((c) => !all.some((e) => e.command === c));
    expect(without).toEqual([]);
  });

  for (const { command, line } of all) {
    it(`${command}: ${line}`, { timeout: 150_000 }, () => {
      const calls = mkdtempSync(join(root, 'calls-'));
      const cwd = line.includes('campaigns/') ? root : campaignDir;
      const r = spawnSync('bash', ['-c', line], {
        cwd,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          PATH: `${binDir}:${process.env.PATH}`,
          HOME: home,
          CALLS: calls,
          LANG: 'C.UTF-8',
          TERM: 'dumb',
        },
      });
      expect(r.signal, `'${line}' did not end in time`).toBeNull();
      const results = readdirSync(calls)
        .filter((f) => f.endsWith('.code'))
        .map((f) => ({
          code: Number(readFileSync(join(calls, f), 'utf8')),
          stderr: readFileSync(join(calls, f.replace(/\.code$/, '.err')), 'utf8'),
        }));
      expect(results.length, `'${line}' did not call campaign`).toBeGreaterThan(0);
      for (const { code, stderr } of results) {
        expect({ code: code === 2 ? 2 : 'not 2', usage: /usage/i.test(stderr), stderr }).toEqual({
          code: 'not 2',
          usage: false,
          stderr,
        });
      }
    });
  }
});
