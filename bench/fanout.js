#!/usr/bin/env node
// Fan-out at scale: 1,000,000 items (40 basins x 25,000 draws) chunked into 40,000 tasks of 25,
// and a per-item aggregation that depends on them (1,000,000 more tasks, one edge each).
// Measures validate and plan in process (for the breakdown) and through the real binary (wall
// time and peak RSS with /usr/bin/time). Targets: 10 s and 1.5 GiB each.
//   node bench/fanout.js            BENCH_DRAWS=2500 node bench/fanout.js (a tenth)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCampaign } from '../dist/model/load.js';
import { formatPlan } from '../dist/ui/plan.js';
import { timeBinary } from './binary.js';

const basins = Array.from({ length: 40 }, (_, i) => `B${String(i).padStart(2, '0')}`);
const draws = Number(process.env.BENCH_DRAWS ?? 25_000);
const items = basins.length * draws;
const dir = mkdtempSync(join(tmpdir(), 'campaign-fanout-bench-'));
const file = join(dir, 'campaign.toml');
const matrix = `matrix = { basin = [${basins.map((b) => `"${b}"`).join(', ')}], draw = "0..${draws - 1}" }`;
writeFileSync(
  file,
  `[campaign]
name = "fanout-bench"
seed = 1

[campaign.generate]
${matrix}
id = "{basin}-{draw:05}"
chunk = 25
command = ["generate", "--task", "{index}", "--seed", "{seed}"]
outputs = ["out/{basin}/{draw:05}.nc"]

[campaign.aggregate]
${matrix}
id = "{basin}-{draw:05}"
command = ["aggregate", "--basin", "{basin}", "--draw", "{draw}"]
depends_on = ["generate"]
`,
);

const stages = {};
const t0 = performance.now();
const r = await loadCampaign(file, { timing: (s, ms) => (stages[s] = ms) });
const load = performance.now() - t0;
if (!r.ok) throw new Error(`bench campaign did not validate: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
const { tasks, graph, campaign, pairing } = r.value;
const tp = performance.now();
const plan = formatPlan(campaign, graph, { tasks, pairing });
const planMs = performance.now() - tp;
const heapMiB = process.memoryUsage().rss / 1024 / 1024;

const timed = (args) => timeBinary(dir, args);
const validate = timed(['validate', file]);
const planCli = timed(['plan', file]);

const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
const n = (x) => x.toLocaleString('en-US');
console.log(
  `campaign: ${n(items)} items -> ${n(tasks.nodes[0].count)} chunk tasks + ${n(tasks.nodes[1].count)} aggregation tasks, ${n(tasks.dag.edgeCount)} task edges`,
);
console.log(
  `in process: load ${f(load)} (${Object.entries(stages)
    .map(([k, v]) => `${k} ${f(v)}`)
    .join(', ')}), plan text ${f(planMs)}, rss ${heapMiB.toFixed(0)} MiB`,
);
console.log(`campaign validate (binary)   ${f(validate.ms)}  peak ${validate.rssMiB.toFixed(0)} MiB`);
console.log(`campaign plan (binary)       ${f(planCli.ms)}  peak ${planCli.rssMiB.toFixed(0)} MiB`);
console.log(`plan output: ${plan.split('\n').length} lines`);
console.log('targets: at most 10 s and 1536 MiB each');
rmSync(dir, { recursive: true, force: true });
