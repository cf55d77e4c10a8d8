#!/usr/bin/env node
// Aggregation of one step: every batch must be READY; their samples become one histogram
// (hist.json, with histval and binedges) and DONE.json records what went in.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const batches = Array.from({ length: Number(args.batches) }, (_, b) => `${args.dir}/batch_${String(b).padStart(2, '0')}`);
const missing = batches.filter((b) => !existsSync(`${b}/READY`));
if (missing.length > 0) {
  console.error(`not ready: ${missing.join(', ')}`);
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
writeFileSync(`${args.dir}/hist.json`, JSON.stringify({ histval, binedges, mean }));
writeFileSync(`${args.dir}/DONE.json`, `${JSON.stringify({ step: Number(args.step), batches: batches.length, samples: all.length })}\n`);
console.log(`step ${args.step}: ${all.length} samples, mean ${mean.toFixed(4)}`);
