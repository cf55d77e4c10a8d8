#!/usr/bin/env node
// The Grid Engine adapter against the real (local) cluster, after `npm run build`:
//   1. a 10,000-task fan-out, submitted held (-h): qsub calls and submit time;
//   2. waiting on those 10,000 pending tasks: qstat calls per poll cycle and head CPU;
//   3. cancelling them: qdel calls;
//   4. makespan of N short tasks (BENCH_TASKS, default 200) through the adapter against a
//      hand-written `qsub -t 1-N` of the same tasks, in the same run, from the tasks' own
//      clocks, in BENCH_ROUNDS rounds (default 3) of alternating order.
// Other work on the machine slows Grid Engine's daemons: compare figures of the same run only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseResult } from '../dist/schedulers/launcher/result.js';
import { SgeAdapter } from '../dist/schedulers/sge/adapter.js';
import { counting, fmt, submission as laidOut, waitFor } from './batch/helpers.js';

process.env.SGE_ROOT ??= '/var/lib/gridengine';
process.env.SGE_CELL ??= 'default';
const FANOUT = Number(process.env.BENCH_FANOUT ?? 10_000);
const TASKS = Number(process.env.BENCH_TASKS ?? 200);
const WAIT_S = Number(process.env.BENCH_WAIT ?? 60);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const root = mkdtempSync(join(tmpdir(), 'campaign-bench-sge-'));
/** A submission below this benchmark's folder. */
const submission = (runId, task, command, index) => laidOut(root, runId, task, command, index);

/** CPU seconds of the children this process has waited for (qsub, qstat, ...), from /proc. */
function childCpu() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

// 4. Makespan: N short tasks by hand and through the adapter.
async function handMakespan() {
  const dir = join(root, `hand-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const script = join(dir, 'array.sh');
  writeFileSync(script, `#!/bin/sh\ntrue\ndate +%s%3N > ${dir}/$SGE_TASK_ID.end\n`);
  const t0 = Date.now();
  const out = execFileSync(
    'qsub',
    [
      '-terse',
      '-N',
      'bench-hand',
      '-S',
      '/bin/sh',
      '-o',
      '/dev/null',
      '-j',
      'y',
      '-l',
      'h_vmem=100M',
      '-t',
      `1-${TASKS}`,
      script,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const id = out.trim().split('.')[0];
  for (;;) {
    const q = execFileSync('qstat', ['-u', '*'], { encoding: 'utf8' });
    if (!q.split('\n').some((l) => l.trim().split(/\s+/)[0] === id)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const ends = readdirSync(dir).filter((f) => f.endsWith('.end'));
  if (ends.length !== TASKS) throw new Error(`only ${ends.length} of ${TASKS} hand-written tasks ran`);
  const ms = Math.max(...ends.map((f) => Number(readFileSync(join(dir, f), 'utf8')))) - t0;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

let round = 0;
async function adapterMakespan() {
  const runId = `mk${++round}`;
  const c = counting();
  const adapter = new SgeAdapter({
    dir: join(root, 'runs', runId, 'sge'),
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
    qsub: c.calls.get('qsub'),
    qstat: c.calls.get('qstat'),
  };
}

// Alternating order (hand, adapter, adapter, hand, ...) so that drift in the cluster's state
// weighs on both sides alike.
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
const ratios = ours.map((o, i) => o.ms / hand[i]);
const sorted = [...ratios].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const pct = (r) => `${r >= 1 ? '+' : ''}${fmt((r - 1) * 100)} %`;
console.log(`makespan: ${TASKS} tasks of \`true\`, ${ROUNDS} round(s), from the tasks' own clocks`);
console.log(`  hand-written qsub -t 1-${TASKS}: ${hand.map((m) => fmt(m / 1000)).join(' s, ')} s`);
console.log(
  `  adapter:                  ${ours.map((o) => fmt(o.ms / 1000)).join(' s, ')} s (${ours[0].qsub} qsub; last update ${ours.map((o) => fmt(o.seen / 1000)).join(' s, ')} s after submit; ${ours.map((o) => o.qstat).join(', ')} qstat calls)`,
);
console.log(
  `  adapter / hand: per round ${ratios.map((r) => fmt(r, 3)).join(', ')} (${ratios.map(pct).join(', ')}); median ${fmt(median, 3)} (${pct(median)}); total ${fmt(sum(ours.map((o) => o.ms)) / sum(hand), 3)}`,
);

// 1. Fan-out, submitted as the engine does: one submit() call per task, all in one tick.
{
  const c = counting();
  const adapter = new SgeAdapter({
    dir: join(root, 'runs/fan/sge'),
    campaign: 'bench',
    runId: 'fan',
    run: c.run,
    qsubArgs: ['-h'],
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
  const scripts = readdirSync(join(root, 'runs/fan/sge')).filter((f) => f.endsWith('.sh'));
  const largest = Math.max(...scripts.map((f) => readFileSync(join(root, 'runs/fan/sge', f)).length));
  console.log(
    `fan-out: ${FANOUT} tasks -> ${c.calls.get('qsub')} qsub call(s), ${scripts.length} script(s) (largest ${fmt(largest / 1e6, 2)} MB), submitted in ${fmt(submitMs / 1000, 2)} s`,
  );

  // 2. Waiting on 10,000 pending tasks.
  const qstat0 = c.calls.get('qstat') ?? 0;
  const cycles0 = adapter.stats.poll.cycles;
  const cpu0 = process.cpuUsage();
  const child0 = childCpu();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, WAIT_S * 1000));
  const cpu = process.cpuUsage(cpu0);
  const children = childCpu() - child0;
  const wall = performance.now() - w0;
  const cycles = adapter.stats.poll.cycles - cycles0;
  const qstats = (c.calls.get('qstat') ?? 0) - qstat0;
  const own = (cpu.user + cpu.system) / 1000 / wall;
  console.log(
    `waiting: ${WAIT_S} s on ${adapter.stats.watched} pending tasks -> ${cycles} poll cycles, ${qstats} qstat calls (${fmt(qstats / Math.max(1, cycles), 2)} per cycle), head CPU ${fmt(own * 100, 2)} % (with its qstat processes ${fmt((own + (children * 1000) / wall) * 100, 2)} %)`,
  );

  // 3. Cancelling them all.
  const t1 = performance.now();
  await adapter.cancel(results.map((r) => r.handle));
  await waitFor(() => ended.size === FANOUT, 300_000, 'the cancelled tasks to end');
  console.log(
    `cancel: ${c.calls.get('qdel')} qdel call(s); all ${FANOUT} reported cancelled after ${fmt((performance.now() - t1) / 1000, 1)} s`,
  );
  await adapter.close();
}

rmSync(root, { recursive: true, force: true });
