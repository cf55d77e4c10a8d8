#!/usr/bin/env node
// Aggregation of one step: the samples of every batch (`--batches 0..31`) become one histogram,
// hist.json with `histval` and `binedges`, written through a temporary file. The campaign runs
// it only once every batch of the step succeeded; a batch without samples is still an error
// here, named. DONE.json is the campaign's to write (`markers.done`).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const m = /^(\d+)\.\.(\d+)$/.exec(args.batches ?? '');
if (!m) {
  console.error(`--batches takes a range such as 0..31, not ${args.batches}`);
  process.exit(2);
}
const ids = Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, k) => Number(m[1]) + k);
const batches = ids.map((b) => `${args.dir}/batch_${String(b).padStart(2, '0')}`);
const missing = batches.filter((b) => !existsSync(`${b}/samples.json`));
if (missing.length > 0) {
  console.error(`batches without samples: ${missing.join(', ')}`);
  process.exit(1);
}
const all = batches.flatMap((b) => JSON.parse(readFileSync(`${b}/samples.json`, 'utf8')));
const lo = Math.min(...all);
const hi = Math.max(...all);
const bins = 20;
const binedges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
const histval = new Array(bins).fill(0);
for (const x of all) histval[Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins))]++;
const mean = all.reduce((a, b) => a + b, 0) / all.length;
writeFileSync(`${args.dir}/hist.json.tmp`, JSON.stringify({ histval, binedges, mean, batches: ids.length }));
renameSync(`${args.dir}/hist.json.tmp`, `${args.dir}/hist.json`);
console.log(`step ${args.step}: ${all.length} samples from ${ids.length} batches, mean ${mean.toFixed(4)}`);
