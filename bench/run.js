#!/usr/bin/env node
// Runs every benchmark in this folder, one after another, and prints their figures.
//   npm run bench                 all of them
//   npm run bench -- engine sge   only these (by file name without .js)
// Benchmarks that need a scheduler (slurm, sge) say so and fail when it is not up.
// The soak test (bench/soak.js, `npm run soak`) is not a benchmark and is not run here.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Helpers the benches import, and what is not a benchmark.
const NOT_BENCHES = new Set(['run', 'binary', 'generate', 'soak']);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3))
  .filter((n) => !NOT_BENCHES.has(n))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`bench: no benchmark named ${unknown.join(', ')}; there are ${all.join(', ')}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? wanted : all;
const failed = [];
for (const name of chosen) {
  console.log(`\n== ${name}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(here, `${name}.js`)], { stdio: 'inherit' });
  const s = ((performance.now() - t) / 1000).toFixed(1);
  if (r.status !== 0) failed.push(name);
  console.log(`== ${name}: ${r.status === 0 ? 'done' : `failed (exit ${r.status ?? r.signal})`} in ${s} s`);
}
if (failed.length > 0) {
  console.error(`\nbench: ${failed.length} of ${chosen.length} failed: ${failed.join(', ')}`);
  process.exit(1);
}
