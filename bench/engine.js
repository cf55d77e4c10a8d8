#!/usr/bin/env node
// Runs 10,000 trivial tasks (`true`) with 2 slots through `campaign run`, and in the same run
// the same 10,000 commands through `xargs -P2` and, if installed, GNU `parallel -j2`.
// Prints throughput, the ratio to xargs, the head's peak memory, and journal bytes per event.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(root, 'dist/cli/main.js');
const N = Number(process.env.BENCH_TASKS ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'campaign-engine-bench-'));

const lines = ['[campaign]', 'name = "trivial"', ''];
for (let i = 0; i < N; i++) lines.push(`[campaign.t${i}]`, 'command = ["true"]', '');
writeFileSync(join(dir, 'c.toml'), lines.join('\n'));
writeFileSync(join(dir, 'cmds.txt'), 'true\n'.repeat(N));

const time = (f) => {
  const t = performance.now();
  f();
  return (performance.now() - t) / 1000;
};

const xargs = time(() => execFileSync('sh', ['-c', `xargs -P2 -I{} sh -c {} < ${join(dir, 'cmds.txt')}`]));
const xargsDirect = time(() => execFileSync('sh', ['-c', `xargs -P2 -n1 < ${join(dir, 'cmds.txt')}`]));
let parallel;
if (spawnSync('sh', ['-c', 'parallel --version']).status === 0) {
  parallel = time(() => execFileSync('sh', ['-c', `parallel -j2 < ${join(dir, 'cmds.txt')}`]));
}
const timeFile = join(dir, 'time.txt');
const engine = time(() =>
  execFileSync(
    '/usr/bin/time',
    [
      '-o',
      timeFile,
      '-f',
      '%M',
      process.execPath,
      bin,
      'run',
      join(dir, 'c.toml'),
      '--cores',
      '2',
      '--ui',
      'plain',
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  ),
);
const rss = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024;
// State lives per campaign file: .campaign/<stem>/ (docs/state.md).
const runs = join(dir, '.campaign/c/runs');
const run = readdirSync(runs)[0];
const journal = join(runs, run, 'journal.jsonl');
const events = readFileSync(journal, 'utf8').trim().split('\n').length;
const perEvent = statSync(journal).size / events;

const rate = (s) => `${(N / s).toFixed(0)} tasks/s`;
console.log(`${N} trivial tasks, 2 slots`);
console.log(`xargs -P2 (sh -c each)      ${xargs.toFixed(2)} s  ${rate(xargs)}`);
console.log(`xargs -P2 (exec directly)   ${xargsDirect.toFixed(2)} s  ${rate(xargsDirect)}`);
if (parallel !== undefined)
  console.log(`parallel -j2                ${parallel.toFixed(2)} s  ${rate(parallel)}`);
else console.log('parallel -j2                not installed');
console.log(
  `campaign run --cores 2      ${engine.toFixed(2)} s  ${rate(engine)}  ratio to xargs (exec directly) ${(xargsDirect / engine).toFixed(2)}x, to xargs (sh -c) ${(xargs / engine).toFixed(2)}x`,
);
console.log(`head peak memory            ${rss.toFixed(0)} MiB`);
console.log(`journal                     ${events} records, ${perEvent.toFixed(0)} bytes per record`);
console.log(
  'targets: throughput at least 0.4x xargs -P2, head under 300 MB, journal under 100 bytes per event',
);
