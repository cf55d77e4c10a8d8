#!/usr/bin/env node
// The resource planner at scale (build first: npm run build).
//  1. schedule(): 100,000 tasks, ~200,000 edges (random layered DAG, fixed seed) on 4 nodes of
//     64 cores, 256G, 4 GPUs; then the deadline search on the same DAG. Time and peak RSS.
//  2. The generated 100,000-node campaign of bench/front-end.js: the real `campaign plan` binary
//     without a budget and with one (the schedule added), best of 3 each: time, peak RSS, ratio.
// BENCH_TASKS changes the size of part 1, BENCH_NODES of part 2 (0 skips it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dag } from '../dist/model/dag.js';
import { loadCampaign } from '../dist/model/load.js';
import { formatDuration } from '../dist/model/units.js';
import { checkDeadline } from '../dist/plan/deadline.js';
import { scheduleBudget, scheduleTasks } from '../dist/plan/input.js';
import { schedule } from '../dist/plan/schedule.js';
import { timeBinary } from './binary.js';
import { generateCampaign } from './generate.js';

const N = Number(process.env.BENCH_TASKS ?? 100_000);
const NODES = Number(process.env.BENCH_NODES ?? 100_000);
const LAYER = 1000;

// mulberry32: a small seeded generator, so every run schedules the same DAG.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(11);
const from = [];
const to = [];
for (let v = LAYER; v < N; v++) {
  const base = (Math.floor(v / LAYER) - 1) * LAYER;
  const p = base + Math.floor(rand() * LAYER);
  let q = base + Math.floor(rand() * LAYER);
  if (q === p) q = base + ((p - base + 1) % LAYER);
  from.push(p, q);
  to.push(v, v);
}
const tasks = {
  dag: Dag.build(N, from, to),
  cores: Float64Array.from({ length: N }, () => 1 + Math.floor(rand() * 8)),
  memory: Float64Array.from({ length: N }, () => 1024 * (1 + Math.floor(rand() * 32))),
  gpus: Float64Array.from({ length: N }, () => (rand() < 0.05 ? 1 : 0)),
  runtime: Float64Array.from({ length: N }, () => 60 * (1 + Math.floor(rand() * 120))),
};
const budget = { nodes: 4, coresPerNode: 64, memoryPerNode: 256 * 1024, gpusPerNode: 4 };

// Wall and CPU time (user + system) of the best of n runs: on a shared machine the CPU time
// says more about the code than the wall time does.
const best = (f, n = 3) => {
  let ms = Number.POSITIVE_INFINITY;
  let cpu = Number.POSITIVE_INFINITY;
  let out;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    out = f();
    const u = process.cpuUsage(c);
    ms = Math.min(ms, performance.now() - t);
    cpu = Math.min(cpu, (u.user + u.system) / 1000);
  }
  return { ms, cpu, out };
};
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rss = () => `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`;

const first = best(() => schedule(tasks, budget), 1);
const sch = best(() => schedule(tasks, budget));
const r = sch.out;
console.log(`schedule: ${N} tasks, ${from.length} edges, 4 nodes x 64 cores x 256G x 4 GPUs`);
console.log(
  `  first run ${s(first.ms)} (CPU ${s(first.cpu)}), best of 3 ${s(sch.ms)} (CPU ${s(sch.cpu)}); ` +
    `peak RSS of the process ${rss()}; makespan ${formatDuration(r.makespan)}, ` +
    `critical path ${formatDuration(r.criticalPath.seconds)}, peak ${r.peakConcurrency} tasks, ` +
    `${r.coreHours.toFixed(0)} core-hours`,
);
const deadline = Math.round(r.makespan * 0.6);
const dl = best(() => checkDeadline(tasks, budget, deadline, { scheduled: r }), 1);
console.log(
  `  deadline ${formatDuration(deadline)}: ${dl.out.text}; ${dl.out.tried.length - 1} more schedules in ${s(dl.ms)} (CPU ${s(dl.cpu)})`,
);

if (NODES > 0) {
  // The real binary on the same 100,000-node campaign, without a budget (the tree and summary
  // only, as before the planner) and with one (sizing, the schedule, the group table and the
  // timeline added): the planner's cost is the difference. Best of 3 each, same machine, same run.
  const dir = mkdtempSync(join(tmpdir(), 'campaign-plan-bench-'));
  const file = join(dir, 'campaign.toml');
  const budgeted = join(dir, 'budget.toml');
  const { text, edges } = generateCampaign({ nodes: NODES, fanIn: 2 });
  writeFileSync(file, text);
  writeFileSync(
    budgeted,
    text.replace(
      '[campaign.defaults.resources]',
      '[campaign.resources]\nnodes = 4\ncores_per_node = 64\nmemory_per_node = "256G"\n\n[campaign.defaults.resources]',
    ),
  );
  const t0 = performance.now();
  const loaded = await loadCampaign(file);
  const load = performance.now() - t0;
  if (!loaded.ok) throw new Error('bench campaign did not validate');
  const {
    ms: plan,
    cpu: planCpu,
    out: planned,
  } = best(() => {
    const input = scheduleTasks(loaded.value.tasks, { groupOf: (n) => n.parent ?? n.id });
    return schedule(input, scheduleBudget(loaded.value.campaign.budget, { cores: 64, memory: 256 * 1024 }));
  }, 1);
  const bestBinary = (args) => {
    let ms = Number.POSITIVE_INFINITY;
    let rssMiB = 0;
    for (let i = 0; i < 3; i++) {
      const r = timeBinary(dir, args);
      ms = Math.min(ms, r.ms);
      rssMiB = Math.max(rssMiB, r.rssMiB);
    }
    return { ms, rssMiB };
  };
  const without = bestBinary(['plan', file]);
  const withSchedule = bestBinary(['plan', budgeted]);
  const ratio = withSchedule.ms / without.ms;
  console.log(`campaign: ${NODES} nodes, ${edges} edges (bench/generate.js)`);
  console.log(
    `  in process: load ${s(load)}, schedule input + schedule ${s(plan)} (CPU ${s(planCpu)}; makespan ` +
      `${formatDuration(planned.makespan)}); peak RSS of the process ${rss()}`,
  );
  console.log(
    `  campaign plan (binary, best of 3): without a budget ${s(without.ms)}, peak ${without.rssMiB.toFixed(0)} MiB; ` +
      `with the schedule ${s(withSchedule.ms)}, peak ${withSchedule.rssMiB.toFixed(0)} MiB; ratio ${ratio.toFixed(2)}x`,
  );
  console.log(
    `  targets: with the schedule at most 1.5x without (${ratio <= 1.5 ? 'met' : 'MISSED'}), under 1024 MiB (${withSchedule.rssMiB < 1024 ? 'met' : 'MISSED'})`,
  );
}
