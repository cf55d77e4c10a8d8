#!/usr/bin/env node
// A small maximum-likelihood mapmaker: solves for the sky in each pixel from noisy samples with
// a per-observation offset, by alternating least squares. With --split it makes one map per
// split and their half-difference (a null map).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const rows = readFileSync(args.obs, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const samples = rows.map(([obs, time, wafer, pixel, signal]) => ({ obs, time: +time, wafer, pixel: +pixel, signal: +signal }));

function solve(data, maxiter) {
  const sky = new Map();
  const offset = new Map();
  for (let it = 0; it < maxiter; it++) {
    const acc = new Map();
    for (const s of data) {
      const a = acc.get(s.pixel) ?? [0, 0];
      a[0] += s.signal - (offset.get(s.obs) ?? 0);
      a[1] += 1;
      acc.set(s.pixel, a);
    }
    for (const [p, [sum, n]] of acc) sky.set(p, sum / n);
    const off = new Map();
    for (const s of data) {
      const a = off.get(s.obs) ?? [0, 0];
      a[0] += s.signal - sky.get(s.pixel);
      a[1] += 1;
      off.set(s.obs, a);
    }
    for (const [o, [sum, n]] of off) offset.set(o, sum / n);
  }
  return Object.fromEntries([...sky].sort((a, b) => a[0] - b[0]));
}

const maxiter = Number(args.maxiter ?? 10);
let result;
if (!args.split) {
  result = { kind: 'map', samples: samples.length, map: solve(samples, maxiter) };
} else {
  const n = Number(args.nsplits ?? 2);
  const key = args.split === 'wafer' ? (s) => Number(s.wafer.slice(2)) % n : (s) => Math.floor(((s.time - samples[0].time) / 86400) * n) % n;
  const maps = Array.from({ length: n }, (_, k) => solve(samples.filter((s) => key(s) === k), maxiter));
  const null0 = Object.fromEntries(Object.keys(maps[0]).map((p) => [p, ((maps[0][p] ?? 0) - (maps[n - 1][p] ?? 0)) / 2]));
  result = { kind: 'null', split: args.split, nsplits: n, samples: samples.length, maps, null: null0 };
}
mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, `${JSON.stringify(result, null, 1)}\n`);
console.log(`wrote ${args.out} (${samples.length} samples)`);
