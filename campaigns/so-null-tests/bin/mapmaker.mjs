#!/usr/bin/env node
// A small mapmaker: the mean signal of each pixel over the chosen samples, with a per-
// observation offset removed by a few alternating passes. --only keeps some observations
// (comma-separated), --wafer one wafer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const only = args.only ? new Set(args.only.split(',')) : undefined;
const samples = readFileSync(args.obs, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','))
  .map(([obs, time, wafer, pixel, signal]) => ({ obs, time: +time, wafer, pixel: +pixel, signal: +signal }))
  .filter((s) => (!only || only.has(s.obs)) && (!args.wafer || s.wafer === args.wafer));
const offset = new Map();
let map = {};
for (let it = 0; it < Number(args.maxiter ?? 10); it++) {
  const acc = new Map();
  for (const s of samples) {
    const a = acc.get(s.pixel) ?? [0, 0];
    a[0] += s.signal - (offset.get(s.obs) ?? 0);
    a[1]++;
    acc.set(s.pixel, a);
  }
  map = Object.fromEntries([...acc].sort((a, b) => a[0] - b[0]).map(([p, [sum, n]]) => [p, sum / n]));
  const off = new Map();
  for (const s of samples) {
    const a = off.get(s.obs) ?? [0, 0];
    a[0] += s.signal - map[s.pixel];
    a[1]++;
    off.set(s.obs, a);
  }
  for (const [o, [sum, n]] of off) offset.set(o, sum / n);
}
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify({ samples: samples.length, map })}\n`);
console.log(`wrote ${args.out} (${samples.length} samples)`);
