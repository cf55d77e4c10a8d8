#!/usr/bin/env node
// The CPU a command costs from start to exit, on a one-node campaign: `validate`, `plan` and
// a dry run, each with the validator the build generates (dist/model/campaign-validate.cjs)
// and with the schema compiled at start, in the same run, alternating. CPU (user + system, of
// the command and its children) rather than wall time: it is what a loaded machine shares.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'dist/cli/main.js');
const generated = join(root, 'dist/model/campaign-validate.cjs');
if (!existsSync(generated)) {
  console.error('startup: dist/model/campaign-validate.cjs is missing: run npm run build first');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'campaign-startup-'));
writeFileSync(join(dir, 'c.toml'), '[campaign]\nname = "s"\n[campaign.a]\ncommand = "true"\n');
const ROUNDS = Number(process.env.ROUNDS ?? 7);

/** CPU seconds of one command, from /usr/bin/time-like accounting of the child. */
function cpu(args) {
  const r = spawnSync(
    '/bin/sh',
    ['-c', 'times >/dev/null; "$@" >/dev/null 2>&1; times', 'sh', process.execPath, bin, ...args],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  // The second line of the second `times` is the children's user and system time.
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const [u, s] = line.split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  });
  return u + s;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const commands = [
  ['validate', 'c.toml'],
  ['plan', 'c.toml'],
  ['run', 'c.toml', '--dry-run'],
];
const aside = `${generated}.aside`;
try {
  console.log('command            generated  compiled   ratio');
  for (const args of commands) {
    const pre = [];
    const comp = [];
    for (let i = 0; i < ROUNDS; i++) {
      pre.push(cpu(args));
      renameSync(generated, aside);
      try {
        comp.push(cpu(args));
      } finally {
        renameSync(aside, generated);
      }
    }
    const a = median(pre);
    const b = median(comp);
    console.log(
      `${args.join(' ').padEnd(18)} ${a.toFixed(2).padStart(7)} s ${b.toFixed(2).padStart(7)} s   ${(a / b).toFixed(2)}x`,
    );
  }
} finally {
  if (existsSync(aside)) renameSync(aside, generated);
  rmSync(dir, { recursive: true, force: true });
}
