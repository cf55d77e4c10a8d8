#!/usr/bin/env node
// Fault-injection soak (the long, randomized version of test/faults), after `npm run build`:
// round after round, a fresh campaign is run by the real binary and its head is killed with
// SIGKILL at random moments (random times; right after a hand-over was journaled; on Slurm
// also inside sbatch, before Slurm has the job or after Slurm has it but before the head
// heard, with an sbatch wrapper on PATH that sleeps 1-2 s), then run again until it
// completes. Each task counts its own executions: every count must be exactly 1, and on
// Slurm nothing of the campaign may be left in the queue.
//   SOAK_SECONDS  how long to go on (default 120); a round under way is finished
//   SOAK_SEED     the seed (default: from the clock; printed, so a soak can be replayed)
//   SOAK_SLURM    0: local rounds only (default: Slurm rounds too when `sinfo` answers)
// Prints each round, then how many kills the campaigns survived and every violation; exits 1
// if there was one.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bin, timeBinary } from './binary.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const TASK = join(root, 'test/fixtures/task.sh');
const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 2 ** 31);
const SLURM =
  process.env.SOAK_SLURM !== '0' &&
  spawnSync('sinfo', ['-h'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
const REAL_SBATCH = spawnSync('sh', ['-c', 'command -v sbatch'], { encoding: 'utf8' }).stdout.trim();

/** mulberry32: the same seed, the same rounds and moments. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = prng(SEED);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A local campaign: a verified root, a fan-out, crossing chains and a checked funnel. */
function localCampaign() {
  const fan = int(4, 16);
  const chains = int(2, 6);
  const length = int(3, 8);
  const tasks = ['prep', 'funnel'];
  let text = '[campaign]\nname = "soak"\n';
  text += `[campaign.prep]\ncommand = "${TASK} prep sleep=0.2 out=out/prep.txt"\noutputs = ["out/prep.txt"]\ncheck = "sleep 0.2; test -s out/prep.txt"\n`;
  text += `[campaign.fan]\nmatrix = { i = [${[...Array(fan).keys()].join(', ')}] }\ncommand = "${TASK} fan-{i} sleep=0.1 out=out/fan-{i}.txt"\noutputs = ["out/fan-{i}.txt"]\ndepends_on = ["prep"]\n`;
  for (let i = 0; i < fan; i++) tasks.push(`fan-${i}`);
  for (let c = 0; c < chains; c++) {
    for (let i = 0; i < length; i++) {
      const deps = [];
      if (i > 0) deps.push(`"c${c}.t${i - 1}"`);
      if (c > 0 && i === Math.floor(length / 2)) deps.push(`"c${c - 1}.t${i - 1}"`);
      text += `[campaign.c${c}.t${i}]\ncommand = "${TASK} c${c}.t${i} sleep=${(0.05 + random() * 0.3).toFixed(2)}"\n`;
      if (deps.length > 0) text += `depends_on = [${deps.join(', ')}]\n`;
      tasks.push(`c${c}.t${i}`);
    }
  }
  text += `[campaign.funnel]\ncommand = "${TASK} funnel out=out/funnel.txt"\noutputs = ["out/funnel.txt"]\ncheck = ["/bin/sh", "-c", "sleep 0.2; test -s out/funnel.txt"]\ndepends_on = ["fan", "c${chains - 1}.t${length - 1}"]\n`;
  return { text, tasks, args: ['--cores', String(int(2, 6))] };
}

/** A Slurm campaign: a verified root, a fan-out array, an array after it item by item, a funnel. */
function slurmCampaign(name) {
  const n = int(2, 6);
  const items = [...Array(n).keys()].join(', ');
  const tasks = ['prep', 'funnel'];
  for (let i = 0; i < n; i++) tasks.push(`gen-${i}`, `post-${i}`);
  const text = [
    '[campaign]',
    `name = "${name}"`,
    '[campaign.scheduler]',
    'type = "slurm"',
    'poll_interval = "1s"',
    '[campaign.defaults.resources]',
    'memory = "100M"',
    'runtime = "5m"',
    '[campaign.prep]',
    `command = "${TASK} prep out=out/prep.txt"`,
    'outputs = ["out/prep.txt"]',
    'check = "test -s out/prep.txt"',
    '[campaign.gen]',
    `matrix = { i = [${items}] }`,
    `command = "${TASK} gen-{i} sleep=${int(1, 3)} out=out/gen-{i}.txt"`,
    'outputs = ["out/gen-{i}.txt"]',
    'depends_on = ["prep"]',
    '[campaign.post]',
    `matrix = { i = [${items}] }`,
    `command = "${TASK} post-{i} sleep=1"`,
    'depends_on = ["gen"]',
    '[campaign.funnel]',
    `command = "${TASK} funnel"`,
    'depends_on = ["post[*]"]',
    '',
  ].join('\n');
  return { text, tasks, args: [] };
}

/** An sbatch in front of the real one that logs each call and sleeps around it (see test/slurm/helpers.ts). */
function sbatchWrapper(dir) {
  const wdir = join(dir, 'sbatch-wrapper');
  mkdirSync(wdir, { recursive: true });
  const log = join(wdir, 'calls.log');
  writeFileSync(
    join(wdir, 'sbatch'),
    [
      '#!/bin/sh',
      'log=${CAMPAIGN_TEST_SBATCH_LOG:?}',
      'echo "start $$" >>"$log"',
      'sleep "${CAMPAIGN_TEST_SBATCH_BEFORE:-0}"',
      `out=$(${REAL_SBATCH} "$@"); code=$?`,
      'echo "submitted $$ $code $out" >>"$log"',
      'sleep "${CAMPAIGN_TEST_SBATCH_AFTER:-0}"',
      '[ -n "$out" ] && printf "%s\\n" "$out"',
      'exit "$code"',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    count: (kind) =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith(`${kind} `)).length
        : 0,
    env: (before, after) => ({
      PATH: `${wdir}:${process.env.PATH ?? ''}`,
      CAMPAIGN_TEST_SBATCH_LOG: log,
      CAMPAIGN_TEST_SBATCH_BEFORE: before.toFixed(2),
      CAMPAIGN_TEST_SBATCH_AFTER: after.toFixed(2),
    }),
  };
}

/** Every run's journal below the campaign folder, oldest run first. */
function journals(dir) {
  const found = [];
  const walk = (d, depth) => {
    if (depth > 4 || !existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = join(d, e.name);
      if (e.name === 'runs') {
        for (const r of readdirSync(p))
          if (existsSync(join(p, r, 'journal.jsonl'))) found.push(join(p, r, 'journal.jsonl'));
      } else walk(p, depth + 1);
    }
  };
  walk(join(dir, '.campaign'), 0);
  const num = (j) => Number(/_run(\d+)\//.exec(j)?.[1] ?? 0);
  return found.sort((a, b) => num(a) - num(b));
}

/** New hand-overs journaled: `q` lines without a job id and not announcing an adopted attempt. */
const handOvers = (dir) =>
  journals(dir)
    .flatMap((j) => readFileSync(j, 'utf8').split('\n'))
    .filter((l) => l.includes('"k":"q"') && !l.includes('"j":') && !l.includes('"r0":')).length;

function counts(dir) {
  const d = join(dir, 'record/counts');
  if (!existsSync(d)) return {};
  return Object.fromEntries(
    readdirSync(d).map((n) => [n, readFileSync(join(d, n), 'utf8').split('\n').filter(Boolean).length]),
  );
}

const liveJobs = (prefix) =>
  spawnSync('squeue', ['-h', '-r', '-O', 'JobArrayID:|,Name:|'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split('|'))
    .filter((f) => f[1]?.startsWith(prefix))
    .map((f) => f[0].trim());

/** One head, killed at a random moment; resolves with what happened to it. */
async function killOne(dir, args, env, slurm, sb) {
  const roll = random();
  const base = { q: handOvers(dir), start: sb?.count('start') ?? 0, submitted: sb?.count('submitted') ?? 0 };
  let due;
  let moment;
  if (slurm && roll < 0.25) {
    const n = int(1, 2);
    moment = `sbatch-start +${n}`;
    due = () => sb.count('start') >= base.start + n;
  } else if (slurm && roll < 0.5) {
    const n = int(1, 2);
    moment = `sbatch-submitted +${n}`;
    due = () => sb.count('submitted') >= base.submitted + n;
  } else if (roll < 0.7) {
    const n = int(1, 5);
    moment = `journal +${n}`;
    due = () => handOvers(dir) >= base.q + n;
  } else {
    const ms = slurm ? int(500, 5000) : int(100, 1400);
    const t0 = Date.now();
    moment = `${ms} ms`;
    due = () => Date.now() - t0 >= ms;
  }
  const head = spawn(process.execPath, [bin, 'run', 'c.toml', ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  let ended;
  const done = new Promise((r) =>
    head.on('close', (code) => {
      ended = code;
      r(code);
    }),
  );
  const until = Date.now() + (slurm ? 5000 : 2000);
  while (ended === undefined && !due() && Date.now() < until) await sleep(20);
  if (ended !== undefined) return { moment, killed: false, code: ended };
  const missed = !due();
  head.kill('SIGKILL');
  await done;
  return { moment: missed ? `${moment} (missed: killed at ${slurm ? 5 : 2} s)` : moment, killed: true };
}

/** One round: a campaign, kills, runs to completion, the checks. */
async function round(k, slurm) {
  const dir = mkdtempSync(join(tmpdir(), `campaign-soak-${slurm ? 'slurm' : 'local'}-`));
  const name = `soak${process.pid.toString(36)}r${k}`;
  const c = slurm ? slurmCampaign(name) : localCampaign();
  writeFileSync(join(dir, 'c.toml'), c.text);
  const sb = slurm ? sbatchWrapper(dir) : undefined;
  const kills = slurm ? int(2, 6) : int(4, 12);
  const heads = [];
  for (let i = 0; i < kills; i++) {
    const env = sb ? sb.env(1 + random(), random()) : {};
    const h = await killOne(dir, c.args, env, slurm, sb);
    heads.push(h);
    if (!h.killed) break;
  }
  let final;
  let ok = false;
  for (let i = 0; i < 3 && !ok; i++) {
    try {
      final = timeBinary(dir, ['run', join(dir, 'c.toml'), ...c.args]);
      ok = true;
    } catch {
      // a failed run: try again, the violation check below says what went wrong
    }
  }
  const seen = counts(dir);
  const violations = [];
  if (!ok) violations.push('the campaign did not complete in 3 runs after the kills');
  for (const t of c.tasks) {
    if ((seen[t] ?? 0) === 1) continue;
    const id = t.replace(/-(\d+)$/, '[$1]');
    const lines = journals(dir)
      .flatMap((j) =>
        readFileSync(j, 'utf8')
          .split('\n')
          .map((l) => `${j.split('/').slice(-2, -1)[0]}: ${l}`),
      )
      .filter((l) => l.includes(`"id":"${t}"`) || l.includes(`"id":"${id}"`));
    violations.push(`task ${t} ran ${seen[t] ?? 0} times\n    ${lines.join('\n    ')}`);
  }
  if (slurm) {
    const left = liveJobs(`${name}.`);
    if (left.length > 0) violations.push(`jobs left in the queue: ${left.join(', ')}`);
  }
  const killed = heads.filter((h) => h.killed).length;
  const sbatchKills = heads.filter(
    (h) => h.killed && h.moment.startsWith('sbatch') && !h.moment.includes('missed'),
  ).length;
  const what = heads
    .map((h) => `${h.moment}${h.killed ? '' : ` (ended by itself, exit ${h.code})`}`)
    .join(', ');
  console.log(
    `round ${k} ${slurm ? 'slurm' : 'local'}: ${c.tasks.length} tasks, ${killed} kills [${what}]; ` +
      `${violations.length === 0 ? 'ok' : `${violations.length} violation(s)`}` +
      (final ? ` (last run ${(final.ms / 1000).toFixed(1)} s, ${final.rssMiB.toFixed(0)} MiB)` : ''),
  );
  for (const v of violations) console.log(`  VIOLATION: ${v}`);
  if (violations.length === 0) rmSync(dir, { recursive: true, force: true });
  else console.log(`  kept ${dir}`);
  return { killed, sbatchKills, violations: violations.length };
}

console.log(`soak: seed ${SEED}, ${SECONDS} s, ${SLURM ? 'local and Slurm rounds' : 'local rounds only'}`);
const end = Date.now() + SECONDS * 1000;
const total = { local: 0, slurm: 0, inSbatch: 0, rounds: 0, violations: 0 };
for (let k = 1; Date.now() < end; k++) {
  const slurm = SLURM && k % 2 === 0;
  const r = await round(k, slurm);
  total[slurm ? 'slurm' : 'local'] += r.violations === 0 ? r.killed : 0;
  total.inSbatch += r.violations === 0 ? r.sbatchKills : 0;
  total.rounds++;
  total.violations += r.violations;
}
console.log(
  `soak: survived ${total.local + total.slurm} kills (${total.local} local, ${total.slurm} Slurm, ${total.inSbatch} inside sbatch) in ${total.rounds} rounds; ` +
    `${total.violations} violation(s); seed ${SEED}`,
);
process.exitCode = total.violations > 0 ? 1 : 0;
