// Dashboard benchmark: 100,000 tasks, 1,000 state changes a second for 10 s, drawn into a fake
// 120x40 terminal. Reports the CPU the UI costs (against the same event stream into a sink that
// does nothing), the number of redraws, and the longest wait from an event to the frame showing it.
//
//   npm run build && node bench/dashboard.js [seconds] [events-per-second]

import { EventEmitter } from 'node:events';
import { startDashboard } from '../dist/ui/dashboard/index.js';

const SECONDS = Number(process.argv[2] ?? 10);
const RATE = Number(process.argv[3] ?? 1000);
const TASKS = 100_000;
const RUNNING = 500;

/** A terminal that counts what it is sent. */
class FakeTerminal extends EventEmitter {
  columns = 120;
  rows = 40;
  isTTY = true;
  writes = 0;
  bytes = 0;
  write(chunk, cb) {
    this.writes++;
    this.bytes += chunk.length;
    if (typeof cb === 'function') cb();
    return true;
  }
}

/** A stdin that is not a terminal: the dashboard then takes no keys, as when piped. */
class NoInput extends EventEmitter {
  isTTY = false;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

/** 10 groups x 10 fanned-out nodes x 1,000 instances. */
function campaignTasks() {
  const tasks = [];
  for (let g = 0; g < 10; g++) {
    for (let n = 0; n < 10; n++) {
      const node = `stage${g}.step${n}`;
      for (let i = 0; i < TASKS / 100; i++) {
        tasks.push({
          id: `${node}[i=${i}]`,
          group: `stage${g}`,
          node,
          runtime: 30,
          limit: 600,
          state: 'pending',
        });
      }
    }
  }
  return tasks;
}

/**
 * The event stream of a busy run: tasks start, and after RUNNING further starts they end (1% fail).
 * Every call returns the next state change.
 */
function eventSource(tasks) {
  let started = 0;
  let ended = 0;
  let phase = 0;
  return (t) => {
    phase++;
    if (started - ended < RUNNING || phase % 2 === 0) {
      const id = tasks[started++ % tasks.length].id;
      return {
        type: 'task',
        reason: 'started',
        t,
        id,
        attempt: 1,
        where: { jobId: `${4000 + started}_${started % 1000}`, host: `n${started % 64}` },
        logs: { out: `/scratch/logs/${id}.out`, err: `/scratch/logs/${id}.err` },
      };
    }
    const id = tasks[ended++ % tasks.length].id;
    if (ended % 100 === 0) {
      return {
        type: 'task',
        reason: 'failed',
        t,
        id,
        attempt: 1,
        outcome: { exitCode: 1 },
        failure: 'failed',
        message: 'exit code 1',
      };
    }
    return { type: 'task', reason: 'succeeded', t, id, attempt: 1, outcome: { exitCode: 0, wallMs: 29_000 } };
  };
}

/** Feeds RATE events a second into `sink` for SECONDS; resolves with the CPU time it took. */
function drive(sink, tasks) {
  return new Promise((resolve) => {
    const next = eventSource(tasks);
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    let sent = 0;
    const timer = setInterval(() => {
      const elapsed = Date.now() - t0;
      const due = Math.min(SECONDS * RATE, Math.floor((elapsed * RATE) / 1000));
      while (sent < due) {
        sink.handle(next(Date.now()));
        sent++;
      }
      if (elapsed >= SECONDS * 1000) {
        clearInterval(timer);
        const cpu = process.cpuUsage(cpu0);
        resolve({ cpuMs: (cpu.user + cpu.system) / 1000, wallMs: Date.now() - t0, sent });
      }
    }, 5);
  });
}

const started = (tasks) => ({
  type: 'run',
  reason: 'started',
  t: Date.now(),
  runId: 'bench',
  campaign: 'bench-100k',
  scheduler: 'slurm',
  stateDir: '/tmp/.campaign',
  tasks,
});

const tasks = campaignTasks();

// Baseline: the same stream into a sink that does nothing.
const base = await drive({ handle() {} }, tasks);

const terminal = new FakeTerminal();
const dashboard = startDashboard({
  stdout: terminal,
  stdin: new NoInput(),
  file: 'bench.toml',
  canDetach: true,
  readLogTail: (path, n) => Array.from({ length: n }, (_, k) => `${path}: line ${k}`),
});
const setup0 = process.cpuUsage();
const s0 = performance.now();
dashboard.sink.handle(started(tasks));
const setupMs = performance.now() - s0;
const setupCpu = process.cpuUsage(setup0);
const ui = await drive(dashboard.sink, tasks);
const stats = dashboard.stats();
await dashboard.sink.close();

const uiCpuMs = ui.cpuMs - base.cpuMs;
const pct = (ms, wall) => `${((100 * ms) / wall).toFixed(1)}%`;
const rows = [
  ['tasks', TASKS.toLocaleString('en-US')],
  ['events', `${ui.sent.toLocaleString('en-US')} in ${(ui.wallMs / 1000).toFixed(1)} s (${RATE}/s)`],
  [
    'run started (index 100k tasks)',
    `${setupMs.toFixed(0)} ms (${((setupCpu.user + setupCpu.system) / 1000).toFixed(0)} ms CPU)`,
  ],
  ['CPU, events only (baseline)', `${base.cpuMs.toFixed(0)} ms = ${pct(base.cpuMs, base.wallMs)} of a core`],
  ['CPU, events + dashboard', `${ui.cpuMs.toFixed(0)} ms = ${pct(ui.cpuMs, ui.wallMs)} of a core`],
  [
    'CPU attributable to the UI',
    `${uiCpuMs.toFixed(0)} ms = ${pct(uiCpuMs, ui.wallMs)} of a core (target < 20%)`,
  ],
  [
    'redraws',
    `${stats.redraws} (${(stats.redraws / (ui.wallMs / 1000)).toFixed(1)}/s), ${(stats.busyMs / stats.redraws).toFixed(1)} ms each`,
  ],
  ['max event-to-frame latency', `${stats.maxLatencyMs} ms`],
  ['terminal writes', `${terminal.writes} (${(terminal.bytes / 1024).toFixed(0)} KiB)`],
];
const w = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
if (uiCpuMs / ui.wallMs >= 0.2) process.exitCode = 1;
