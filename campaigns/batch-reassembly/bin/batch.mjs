#!/usr/bin/env node
// Stand-in for the seed's batch scripts (4_01 parameter distortion, 4_02 expression noise,
// 4_03 response noise): one experiment's batch of simulations, written as one results file
// named after the assembly (the run id). Values are a small deterministic function of the
// experiment, the run number, the sample and the repetition, so tests can state them.
//
//   node bin/batch.mjs parameter-distortion --samples 100 --reps 3 --factor 1.5 --out results/x_RUN.csv
//   node bin/batch.mjs expression-noise --samples 100 --reps 3 --noise 0.2 --out results/x_RUN.jsonl
//   node bin/batch.mjs response-noise --samples 100 --reps 3 --noise 0.1 --out results/x_RUN.json
//
// --fail NAME makes the experiment NAME (or `all`) fail after writing half of its file, as a
// crash in the middle of a batch does; --bytes N pads each row to about N bytes (benchmarks).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    samples: { type: 'string', default: '100' },
    reps: { type: 'string', default: '3' },
    factor: { type: 'string', default: '1' },
    noise: { type: 'string', default: '0' },
    fail: { type: 'string', default: '' },
    out: { type: 'string' },
  },
});
const experiment = positionals[0];
const experiments = ['parameter-distortion', 'expression-noise', 'response-noise'];
if (!experiments.includes(experiment ?? '') || !values.out) {
  console.error(`usage: batch.mjs ${experiments.join('|')} --samples N --reps R [--factor F] [--noise X] --out FILE`);
  process.exit(2);
}
const run = process.env.CAMPAIGN_RUN_ID ?? 'unassembled_run000';
const runNumber = Number(/run(\d+)$/.exec(run)?.[1] ?? 0);
const samples = Number(values.samples);
const reps = Number(values.reps);
const factor = Number(values.factor);
const noise = Number(values.noise);
console.log(`${experiment}: assembly ${run}, ${samples} samples x ${reps} reps`);

const rows = [];
for (let s = 0; s < samples; s++) {
  for (let r = 0; r < reps; r++) {
    // A response of the model to the perturbation: exact in a few decimals.
    const base = (s + 1) * 0.5 + r * 0.25 + runNumber * 0.01;
    const response = experiment === 'parameter-distortion' ? base * factor : base + noise * (r + 1);
    rows.push({ sample: s, rep: r, perturbation: experiment === 'parameter-distortion' ? factor : noise, response: Number(response.toFixed(4)) });
  }
}

const out = values.out;
mkdirSync(dirname(out), { recursive: true });
const tmp = `${out}.partial`;
const text = out.endsWith('.csv')
  ? `sample,rep,perturbation,response\n${rows.map((x) => `${x.sample},${x.rep},${x.perturbation},${x.response}\n`).join('')}`
  : out.endsWith('.jsonl')
    ? rows.map((x) => `${JSON.stringify(x)}\n`).join('')
    : `${JSON.stringify(rows, null, 1)}\n`;
if (values.fail === experiment || values.fail === 'all') {
  writeFileSync(tmp, text.slice(0, text.length >> 1));
  console.error(`${experiment}: simulation diverged at sample ${samples >> 1} (asked to fail)`);
  process.exit(1);
}
writeFileSync(tmp, text);
renameSync(tmp, out);
console.log(`${experiment}: wrote ${rows.length} records to ${out}`);
