#!/usr/bin/env node
// One generation batch: samples drawn with the task's seed (so a rerun reproduces them). Step 1
// starts from nothing; step k > 1 of the fixed point reads step k-1's histogram from
// `--fp DIR` (DIR/RG{k-1}/hist.json); a shifted run reads the `--input` histogram. Writes
// samples.json through a temporary file, so a crashed batch leaves no half file. The READY
// marker is the campaign's to write (`markers.ready`), once the outputs are verified.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

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
const step = Number(args.step);
const input = args.input ?? (args.fp && step > 1 ? `${args.fp}/RG${step - 1}/hist.json` : undefined);
if (input !== undefined && !existsSync(input)) {
  console.error(`step ${step}: the input histogram ${input} is missing`);
  process.exit(3);
}
const prior = input ? JSON.parse(readFileSync(input, 'utf8')) : undefined;
const centre = prior ? prior.mean : 0;
const shift = Number(args.shift ?? 0);
const samples = Array.from({ length: Number(args.samples) }, () => {
  const u = rand() + rand() + rand() - 1.5;
  return centre * 0.5 + u + shift;
});
if (process.env.RG_FAIL_BATCH !== undefined && process.env.RG_FAIL_BATCH === `${step}:${args.batch}`) {
  console.error(`step ${step} batch ${args.batch}: failing as RG_FAIL_BATCH asks`);
  process.exit(4);
}
mkdirSync(args.out, { recursive: true });
writeFileSync(`${args.out}/samples.json.tmp`, JSON.stringify(samples));
renameSync(`${args.out}/samples.json.tmp`, `${args.out}/samples.json`);
console.log(`step ${step} batch ${args.batch} seed ${args.seed}: ${samples.length} samples${input ? ` from ${input}` : ''}`);
