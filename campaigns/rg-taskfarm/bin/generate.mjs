#!/usr/bin/env node
// One generation batch: samples drawn with the task's seed (so a rerun reproduces them), from
// the previous step's histogram when given; writes samples.json, then the READY marker.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
let s = Number(args.seed) >>> 0;
const rand = () => {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const prior = args.input && existsSync(args.input) ? JSON.parse(readFileSync(args.input, 'utf8')) : undefined;
const centre = prior ? prior.mean : 0;
const shift = Number(args.shift ?? 0);
const samples = Array.from({ length: Number(args.samples) }, () => {
  const u = rand() + rand() + rand() - 1.5;
  return centre * 0.5 + u + shift;
});
mkdirSync(args.out, { recursive: true });
writeFileSync(`${args.out}/samples.json`, JSON.stringify(samples));
writeFileSync(`${args.out}/READY`, `${new Date(0).toISOString()}\n`);
console.log(`step ${args.step} batch ${args.batch} seed ${args.seed}: ${samples.length} samples`);
