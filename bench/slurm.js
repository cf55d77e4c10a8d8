#!/usr/bin/env node
// The Slurm adapter against the real (local) cluster, after `npm run build`:
//   1. a 10,000-task fan-out, submitted held: sbatch calls and submit time;
//   2. waiting on those 10,000 pending tasks: squeue calls per poll cycle and head CPU;
//   3. cancelling them: scancel calls;
//   4. makespan of N short tasks (BENCH_TASKS, default 500) through the adapter against a
//      hand-written `sbatch --array` of the same tasks, in the same run, from the tasks' own
//      clocks, in BENCH_ROUNDS rounds (default 3) of alternating order.
// Other work on the machine slows Slurm's daemons: compare figures of the same run only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResult } from '../dist/schedulers/launcher/result.js';
import { SlurmAdapter } from '../dist/schedulers/slurm/adapter.js';
import { counting, fmt, submission as laidOut, waitFor } from './batch/helpers.js';

const FANOUT = Number(process.env.BENCH_FANOUT ?? 10_000);
const TASKS = Number(process.env.BENCH_TASKS ?? 500);
const WAIT_S = Number(process.env.BENCH_WAIT ?? 60);
const root = mkdtempSync(join(tmpdir(), 'campaign-bench-slurm-'));
/** A submission below this benchmark's folder. */
const submission = (runId, task, command, index) => laidOut(root, runId, task, command, index);

// 4. Makespan: N short tasks by hand and through the adapter. It runs first: slurmctld purges
// the 10,000 cancelled fan-out records MinJobAge after they end, which slows it for a while.
const byHand = () => {
  const dir = join(root, 'hand');
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'array.sh');
  writeFileSync(
    script,
    `#!/bin/bash\n#SBATCH --job-name=bench-hand\n#SBATCH --output=/dev/null\n#SBATCH --mem=100M\n#SBATCH --cpus-per-task=1\n#SBATCH --array=0-${TASKS - 1}\ntrue\ndate +%s%3N > ${dir}/$SLURM_ARRAY_TASK_ID.end\n`,
  );
  const t0 = Date.now();
  const id = execFileSync('sbatch', ['--parsable', script], { cwd: dir, encoding: 'utf8' }).trim();
  return { t0, id, dir };
};

async function wait(id) {
  for (;;) {
    const out = execFileSync('squeue', ['-h', '-j', id, '-o', '%i'], { encoding: 'utf8' }).trim();
    if (out === '') return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function handMakespan() {
  const hand = byHand();
  await wait(hand.id);
  const ends = readdirSync(hand.dir).filter((f) => f.endsWith('.end'));
  if (ends.length !== TASKS) throw new Error(`only ${ends.length} of ${TASKS} hand-written tasks ran`);
  const ms = Math.max(...ends.map((f) => Number(readFileSync(join(hand.dir, f), 'utf8')))) - hand.t0;
  rmSync(hand.dir, { recursive: true, force: true });
  return ms;
}

let round = 0;
async function adapterMakespan() {
  const runId = `mk${++round}`;
  const c = counting();
  const adapter = new SlurmAdapter({
    dir: join(root, 'runs', runId, 'slurm'),
    campaign: 'bench',
    runId,
    run: c.run,
  });
  let last = 0;
  let done = 0;
  let failed = 0;
  adapter.start((us) => {
    for (const u of us) {
      if (u.kind !== 'ended') continue;
      done++;
      if (u.failure) failed++;
      last = Date.now();
    }
  });
  const subs = Array.from({ length: TASKS }, (_, i) => submission(runId, `mk-${i}`, 'true', i));
  const t0 = Date.now();
  await adapter.submit(subs);
  await waitFor(() => done === TASKS, 3_600_000, 'the makespan tasks');
  await adapter.close();
  if (failed > 0) throw new Error(`${failed} adapter tasks failed`);
  const endOf = (s) => {
    const r = parseResult(readFileSync(s.files.result, 'utf8'));
    return r.startMs + r.wallMs;
  };
  return {
    ms: Math.max(...subs.map(endOf)) - t0,
    seen: last - t0,
    sbatch: c.calls.get('sbatch'),
    squeue: c.calls.get('squeue'),
  };
}

// Alternating order (hand, adapter, adapter, hand, ...) so that drift in the cluster's state
// weighs on both sides alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const hand = [];
const ours = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    hand.push(await handMakespan());
    ours.push(await adapterMakespan());
  } else {
    ours.push(await adapterMakespan());
    hand.push(await handMakespan());
  }
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
// Each round's two runs are adjacent in time: their ratio is the fair comparison, and the
// median of the rounds' ratios is robust to a slowdown of the cluster that hits one run.
const ratios = ours.map((o, i) => o.ms / hand[i]).sort((a, b) => a - b);
const median = ratios[Math.floor(ratios.length / 2)];
const pct = (r) => `${r >= 1 ? '+' : ''}${fmt((r - 1) * 100)} %`;
console.log(`makespan: ${TASKS} tasks of \`true\`, ${ROUNDS} round(s), from the tasks' own clocks`);
console.log(`  hand-written sbatch --array: ${hand.map((m) => fmt(m / 1000)).join(' s, ')} s`);
console.log(
  `  adapter:                     ${ours.map((o) => fmt(o.ms / 1000)).join(' s, ')} s (${ours[0].sbatch} sbatch; last update ${ours.map((o) => fmt(o.seen / 1000)).join(' s, ')} s after submit; ${ours.map((o) => o.squeue).join(', ')} squeue calls)`,
);
console.log(
  `  adapter vs hand: per round ${ours.map((o, i) => pct(o.ms / hand[i])).join(', ')}; median ${pct(median)}; total ${pct(sum(ours.map((o) => o.ms)) / sum(hand))}`,
);

// 1. Fan-out, submitted as the engine does today: one submit() call per task, all in one tick.
{
  const c = counting();
  const adapter = new SlurmAdapter({
    dir: join(root, 'runs/fan/slurm'),
    campaign: 'bench',
    runId: 'fan',
    run: c.run,
    sbatchArgs: ['--hold'],
  });
  const ended = new Set();
  adapter.start((us) => {
    for (const u of us) if (u.kind === 'ended') ended.add(u.handle.jobId);
  });
  const subs = Array.from({ length: FANOUT }, (_, i) =>
    submission('fan', `fan-${i}`, `python3 simulate.py --seed ${i}`, i),
  );
  const t0 = performance.now();
  const results = await Promise.all(subs.map((s) => adapter.submit([s]).then((r) => r[0])));
  const submitMs = performance.now() - t0;
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) throw new Error(`submissions failed: ${failed[0].message}`);
  const scripts = readdirSync(join(root, 'runs/fan/slurm')).filter((f) => f.endsWith('.sh'));
  const largest = Math.max(...scripts.map((f) => readFileSync(join(root, 'runs/fan/slurm', f)).length));
  console.log(
    `fan-out: ${FANOUT} tasks -> ${c.calls.get('sbatch')} sbatch call(s), ${scripts.length} script(s) (largest ${fmt(largest / 1e6, 2)} MB), submitted in ${fmt(submitMs / 1000, 2)} s`,
  );

  // 2. Waiting on 10,000 pending tasks.
  const squeue0 = c.calls.get('squeue') ?? 0;
  const cycles0 = adapter.stats.poll.cycles;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, WAIT_S * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  const cycles = adapter.stats.poll.cycles - cycles0;
  const squeues = (c.calls.get('squeue') ?? 0) - squeue0;
  console.log(
    `waiting: ${WAIT_S} s on ${adapter.stats.watched} pending tasks -> ${cycles} poll cycles, ${squeues} squeue calls (${fmt(squeues / Math.max(1, cycles), 2)} per cycle), head CPU ${fmt(((cpu.user + cpu.system) / 1000 / wall) * 100, 2)} %`,
  );

  // 3. Cancelling them all.
  const t1 = performance.now();
  await adapter.cancel(results.map((r) => r.handle));
  await waitFor(() => ended.size === FANOUT, 120_000, 'the cancelled tasks to end');
  console.log(
    `cancel: ${c.calls.get('scancel')} scancel call(s); all ${FANOUT} reported cancelled after ${fmt((performance.now() - t1) / 1000, 1)} s`,
  );
  await adapter.close();
}

rmSync(root, { recursive: true, force: true });
