#!/usr/bin/env node
// Validates and plans a generated campaign of 100,000 nodes and 200,000 edges, in process
// (for the breakdown) and through the real binary (for wall time and peak memory), against a
// bare @iarna/toml parse of the same file measured in the same run.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import { loadCampaign } from '../dist/model/load.js';
import { formatPlan } from '../dist/ui/plan.js';
import { timeBinary } from './binary.js';
import { generateCampaign } from './generate.js';

const nodes = Number(process.env.BENCH_NODES ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'campaign-bench-'));
const file = join(dir, 'campaign.toml');
const { text, edges } = generateCampaign({ nodes, fanIn: 2 });
writeFileSync(file, text);
console.log(`campaign: ${nodes} nodes, ${edges} edges, ${(text.length / 1e6).toFixed(1)} MB`);

const best = (f, n = 3) => {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
};

const src = readFileSync(file, 'utf8');
const bare = best(() => TOML.parse(src));

const stages = {};
let total = 0;
const t0 = performance.now();
const r = await loadCampaign(file, { timing: (s, ms) => (stages[s] = ms) });
total = performance.now() - t0;
if (!r.ok) throw new Error('bench campaign did not validate');
const tp = performance.now();
const plan = formatPlan(r.value.campaign, r.value.graph);
stages.print = performance.now() - tp;

const timed = (args) => timeBinary(dir, args);
const validate = timed(['validate', file]);
const planCli = timed(['plan', file]);

const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`bare @iarna/toml parse       ${f(bare)}`);
console.log(
  `in process: load ${f(total)} (${Object.entries(stages)
    .map(([k, v]) => `${k} ${f(v)}`)
    .join(', ')}), plan text ${(plan.length / 1e6).toFixed(1)} MB`,
);
console.log(
  `campaign validate (binary)   ${f(validate.ms)}  peak ${validate.rssMiB.toFixed(0)} MiB  ratio to bare parse ${(validate.ms / bare).toFixed(1)}x`,
);
console.log(
  `campaign plan (binary)       ${f(planCli.ms)}  peak ${planCli.rssMiB.toFixed(0)} MiB  ratio to bare parse ${(planCli.ms / bare).toFixed(1)}x`,
);
console.log(`targets: at most 3 s and 1024 MiB each, at most 5x the bare parse`);
