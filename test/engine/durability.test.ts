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
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, type Result, Rig } from '../rig.js';
import { count, counts, mask, TASK, times, waitFor } from './helpers.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => rig.cleanup());

const head = '[campaign]\nname = "t"\n';
const node = (name: string, args = '', more = '') =>
  `[campaign.${name}]\ncommand = "${TASK} ${name.split('.').pop()} ${args}"\n${more}\n`;

describe('crashes', () => {
  it('kill -9 of the head at random moments, resumed each time: every task runs exactly once', async () => {
    // 20 chains of 10 tasks; every chain after the first also waits for its neighbour's middle.
    let text = head;
    for (let c = 0; c < 20; c++) {
      for (let i = 0; i < 10; i++) {
        const deps = [];
        if (i > 0) deps.push(`"c${c}.t${i - 1}"`);
        if (c > 0 && i === 5) deps.push(`"c${c - 1}.t4"`);
        const sleep = (0.05 + ((c * 7 + i * 13) % 10) * 0.02).toFixed(2);
        text += `[campaign.c${c}.t${i}]\ncommand = "${TASK} c${c}.t${i} sleep=${sleep}"\n`;
        if (deps.length > 0) text += `depends_on = [${deps.join(', ')}]\n`;
      }
    }
    rig.write('c.toml', text);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 12; k++) {
      const head = rig.start(['run', 'c.toml', '--cores', '6']);
      await new Promise((r) => setTimeout(r, 150 + random() * 900));
      head.child.kill('SIGKILL');
      await head.done;
    }
    const last = rig.run(['run', 'c.toml', '--cores', '6']);
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    const seen = counts(rig);
    expect(Object.keys(seen)).toHaveLength(200);
    expect(Object.entries(seen).filter(([, n]) => n !== 1)).toEqual([]);
    const status = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout);
    expect(status.totals).toEqual({
      pending: 0,
      queued: 0,
      running: 0,
      succeeded: 200,
      failed: 0,
      skipped: 0,
      cancelled: 0,
    });
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 0 of 200 selected tasks (200 up to date)\n',
    );
  }, 180_000);
});

describe('one writer at a time', () => {
  it('refuses a second run naming the holder, takes over a dead one and reattaches to its task', async () => {
    rig.write(
      'c.toml',
      head + node('slow', `wait=${rig.path('gate')}`) + node('next', '', 'depends_on = ["slow"]'),
    );
    const first = rig.start(['run', 'c.toml']);
    await waitFor(() => first.output().stdout.includes('started    slow'));
    const second = rig.run(['run', 'c.toml']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      new RegExp(
        `^campaign: c\\.toml is being run by another campaign process \\(pid ${first.child.pid} on [^,]+, since [0-9T:.-]+Z, run \\d{8}_\\d{6}_run001\\); wait for it, watch it with 'campaign watch', or stop it with 'campaign cancel'\\n$`,
      ),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    // The task outlives its head and is still running when the third run reattaches to it.
    const resumed = rig.start(['run', 'c.toml']);
    await waitFor(() => resumed.output().stdout.includes('reattached from'), 60_000);
    rig.write('gate', '');
    const third = await resumed.done;
    expect(third.code).toBe(0);
    expect(mask(third.stdout, rig)).toBe(
      dedent(`
        [t] run RUN002 of t on local: 2 tasks, 1 still running from an earlier run
        [t] started    slow (pid N), reattached from RUN001
        [t] succeeded  slow in Ns
        [t] started    next (pid N)
        [t] succeeded  next in Ns
        [t] succeeded: 2 succeeded in Ns
      `),
    );
    expect([count(rig, 'slow'), count(rig, 'next')]).toEqual([1, 1]);
  }, 180_000);
});

describe('interruption', () => {
  it('Ctrl-C terminates running process groups, records them cancelled, exits 130', async () => {
    rig.write(
      'c.toml',
      head +
        node('slow', `sleep=30 child=3:${rig.path('late')}`) +
        node('after', '', 'depends_on = ["slow"]'),
    );
    const run = rig.start(['run', 'c.toml']);
    await waitFor(() => run.output().stdout.includes('started    slow'));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 2 tasks
        [t] started    slow (pid N)
        [t] cancelling: stopping running tasks
        [t] cancelled  slow
        [t] cancelled: 1 pending, 1 cancelled in Ns
      `),
    );
    await new Promise((res) => setTimeout(res, 3500));
    expect(rig.run(['status', 'c.toml', '--failed']).stdout).toBe(
      `slow  cancelled: cancelled\n  log: ${rig.path('.campaign/c/runs')}/${runDir(r.stdout)}/tasks/slow.1.err\n`,
    );
    // The grandchild went with its group.
    expect(count(rig, 'after')).toBe(0);
    expect(existsSync(rig.path('late'))).toBe(false);
  });

  it('campaign cancel from another shell stops the run', async () => {
    rig.write('c.toml', head + node('slow', 'sleep=30'));
    const run = rig.start(['run', 'c.toml']);
    await waitFor(() => run.output().stdout.includes('started    slow'));
    const c = rig.run(['cancel', 'c.toml']);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^cancelling run \d{8}_\d{6}_run001 \(pid \d+ on .+\)\ncancelled\n$/);
    expect((await run.done).code).toBe(130);
  });
});

describe('status while a run is going', () => {
  it('shows the live state from another shell', async () => {
    // g.a runs until the test has seen it running.
    const hold = '&& while [ ! -f release ]; do sleep 0.1; done';
    rig.write('c.toml', head + node('g.a', hold) + node('g.b', '', 'depends_on = ["a"]') + node('done'));
    const run = rig.start(['run', 'c.toml', '--cores', '2']);
    await waitFor(
      () => run.output().stdout.includes('started    g.a') && run.output().stdout.includes('succeeded  done'),
    );
    const s = rig.run(['status', 'c.toml']);
    expect(
      s.stdout
        .replace(/pid \d+ on [^,]+, since [^,]+,/, 'pid N on H, since T,')
        .replace(/\d{8}_\d{6}_run/g, 'RUN')
        .replace(/pid \d+ {2}wall \S+, /m, 'pid N  wall W, '),
    ).toBe(
      dedent(`
        campaign t: last run RUN001 (running); running now (pid N on H, since T, run RUN001)

        SUBCAMPAIGN  TASKS  SUCCEEDED  FAILED  SKIPPED  CANCELLED  RUNNING  QUEUED  PENDING
        g/               2          0       0        0          0        1       0        1
          a              1          0       0        0          0        1       0        0
          b              1          0       0        0          0        0       0        1
        done             1          1       0        0          0        0       0        0
        total            3          1       0        0          0        1       0        1

        1 task not finished:
          g.a  running  pid N  wall W, 1 core
      `),
    );
    rig.write('release', '');
    expect((await run.done).code).toBe(0);
  });
});

function runDir(stdout: string): string {
  return /(\d{8}_\d{6}_run\d+)/.exec(stdout)![1]!;
}

describe('following a run from another shell', () => {
  it('watch attaches to the running campaign and follows it to the end', async () => {
    rig.write('c.toml', head + node('slow', 'sleep=2') + node('next', '', 'depends_on = ["slow"]'));
    const run = rig.start(['run', 'c.toml']);
    await waitFor(() => run.output().stdout.includes('started    slow'));
    const w = rig.run(['watch', 'c.toml', '--ui', 'plain']);
    expect(w.code).toBe(0);
    expect(mask(w.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 2 tasks
        [t] started    slow (pid N)
        [t] succeeded  slow in Ns
        [t] started    next (pid N)
        [t] succeeded  next in Ns
        [t] succeeded: 2 succeeded in Ns
      `),
    );
    expect((await run.done).code).toBe(0);
    // Afterwards, watch shows how the run ended.
    expect(mask(rig.run(['watch', 'c.toml', '--ui', 'plain']).stdout, rig)).toContain(
      '[t] succeeded: 2 succeeded in Ns',
    );
  });

  it('logs prints an attempt’s output or error, by attempt', () => {
    rig.write('c.toml', head + node('flaky', 'failfirst=1', 'retries = { count = 1, backoff = "0s" }'));
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    expect(rig.run(['logs', 'flaky', 'c.toml']).stdout).toBe('flaky done\n');
    expect(rig.run(['logs', 'flaky', 'c.toml', '--err', '--attempt', '1']).stdout).toBe('flaky warning\n');
    expect(rig.run(['logs', 'flaky', 'c.toml', '--follow']).stdout).toBe('flaky done\n');
    const bad = rig.run(['logs', 'flakey', 'c.toml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("campaign: no task 'flakey' in c.toml; did you mean 'flaky'?\n");
  });
});

/** A background `campaign` that is killed (-9) if it has not ended by the deadline: a hang fails the test, never stalls it. */
async function within(p: ReturnType<Rig['start']>, ms: number): Promise<Result & { timedOut: boolean }> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.child.kill('SIGKILL');
  }, ms);
  const r = await p.done;
  clearTimeout(timer);
  return { ...r, timedOut };
}

describe('the lock taken away during a run', () => {
  it('a head whose lock is removed stops handing out work and says why; a second head finishes, each task once', async () => {
    let text = head;
    for (let i = 1; i <= 8; i++) text += node(`t${i}`, 'sleep=3');
    rig.write('c.toml', text);
    const first = rig.start(['run', 'c.toml', '--max-parallel', '2']);
    await waitFor(() => (first.output().stdout.match(/started {4}t/g) ?? []).length >= 2, 60_000);
    // Removed behind its back (a cleanup script), and at once a second head takes the campaign.
    rmSync(rig.path('.campaign/c/lock'));
    const second = rig.start(['run', 'c.toml', '--max-parallel', '2']);
    const r1 = await within(first, 90_000);
    const r2 = await within(second, 90_000);
    expect(r1.timedOut || r2.timedOut).toBe(false);
    expect(r1.code).toBe(1);
    expect(r1.stdout).toMatch(
      /stopped handing out work: the lock \S+ was (removed|taken over by pid \d+ on )/,
    );
    expect(r1.stderr).toMatch(
      /^campaign: the lock \S+\/\.campaign\/c\/lock was (removed|taken over by [^\n]+); this head handed out nothing more and let what it had started finish\n$/,
    );
    expect(r2.code).toBe(0);
    expect(counts(rig)).toEqual(Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((i) => [`t${i}`, 1])));
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 0 of 8 selected tasks (8 up to date)\n',
    );
  }, 120_000);
});

describe('taking over a dead head’s lock', () => {
  it('many heads at once after a crash: exactly one takes the lock over, the task runs once', async () => {
    // b holds its head until the test lets it go, however long the contenders take to start.
    const b = `${TASK} b && while [ ! -f release ]; do sleep 0.2; done`;
    rig.write('c.toml', `${head + node('a', 'sleep=1')}[campaign.b]\ncommand = "${b}"\n`);
    const crashed = rig.start(['run', 'c.toml', '--max-parallel', '1']);
    await waitFor(() => crashed.output().stdout.includes('started    a'), 60_000);
    crashed.child.kill('SIGKILL');
    await crashed.done;
    // The lock names a dead head; six contenders judge it stale at about the same moment. The
    // one that takes it over collects the dead head's task and runs b; the others are refused.
    const heads = Array.from({ length: 6 }, () => rig.start(['run', 'c.toml', '--max-parallel', '1']));
    const ended: Result[] = [];
    for (const h of heads) void h.done.then((r) => ended.push(r));
    await waitFor(() => ended.length === 5, 120_000);
    expect(ended.map((r) => r.code)).toEqual([3, 3, 3, 3, 3]);
    for (const r of ended)
      expect(r.stderr).toMatch(/^campaign: c\.toml is being run by another campaign process/);
    rig.write('release', '');
    const results = await Promise.all(heads.map((h) => within(h, 120_000)));
    const winner = results.find((r) => r.code !== 3)!;
    expect(winner.code).toBe(0);
    expect(winner.stdout).toContain('reattached from');
    expect([count(rig, 'a'), count(rig, 'b')]).toEqual([1, 1]);
  }, 300_000);
});

/** Whether this process may write /proc/sys/kernel/ns_last_pid (root on Linux): pids can be reused on purpose. */
const canChoosePid = (() => {
  try {
    const v = readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8');
    writeFileSync('/proc/sys/kernel/ns_last_pid', v);
    return true;
  } catch {
    return false;
  }
})();

/** Starts `sleep` as the given pid, as a reboot or pid reuse would: the kernel's next pid is set just below it. */
async function processWithPid(pid: number): Promise<ReturnType<typeof spawn>> {
  for (let tries = 0; tries < 500; tries++) {
    writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const p = spawn('sleep', ['300'], { stdio: 'ignore' });
    if (p.pid === pid) return p;
    p.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`could not start a process with pid ${pid}`);
}

describe.skipIf(!canChoosePid)('a lock that names a live process that is not its head', () => {
  it('is taken over by run, and cancel never signals that process', async () => {
    rig.write('c.toml', head + node('a', 'sleep=1'));
    const crashed = rig.start(['run', 'c.toml']);
    await waitFor(() => crashed.output().stdout.includes('started    a'), 60_000);
    crashed.child.kill('SIGKILL');
    await crashed.done;
    // Its task ends on its own (its launcher outlives the head) and leaves its result.
    await waitFor(() => times(rig, 'a').length === 1, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const lock = JSON.parse(rig.read('.campaign/c/lock')) as { pid: number };
    expect(lock.pid).toBe(crashed.child.pid);
    // The dead head's pid now belongs to an unrelated process.
    const other = await processWithPid(lock.pid);
    try {
      const c = rig.run(['cancel', 'c.toml']);
      expect(c.code).toBe(0);
      expect(c.stdout).not.toContain('cancelling run');
      await new Promise((r) => setTimeout(r, 300));
      expect(other.exitCode).toBe(null);
      expect(other.signalCode).toBe(null);
      const r = rig.run(['run', 'c.toml']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(count(rig, 'a')).toBe(1);
      expect(other.exitCode).toBe(null);
    } finally {
      other.kill('SIGKILL');
    }
  });
});

describe('campaign files that share a folder', () => {
  const xy = (word: string, wait: string) =>
    `${head}[campaign.a]\ncommand = "${TASK} a-${word}${wait} && echo ${word} > out.txt"\noutputs = ["out.txt"]\n`;

  it('each has its own state and lock: one never adopts, lists or waits for the other’s runs', async () => {
    rig.write('x.toml', xy('X', ''));
    // y's `a` runs until the test lets it go.
    rig.write('y.toml', xy('Y', ' && while [ ! -f release ]; do sleep 0.2; done'));
    const y = rig.start(['run', 'y.toml']);
    await waitFor(() => y.output().stdout.includes('started    a'), 60_000);
    // A live head of y does not hold x.
    const x = rig.run(['run', 'x.toml']);
    expect(x.stderr).toBe('');
    expect(x.code).toBe(0);
    // Its exit, not the end of its output: the attempt it left running keeps the head's stderr.
    const gone = new Promise((r) => y.child.once('exit', r));
    y.child.kill('SIGKILL');
    await gone;
    // y's attempt still runs (its launcher outlives the head); x never takes it for its own.
    const x2 = rig.run(['run', 'x.toml', '--force']);
    expect(x2.code).toBe(0);
    expect(x2.stdout).not.toContain('reattached');
    expect(count(rig, 'a-X')).toBe(2);
    const runsOf = (f: string) => JSON.parse(rig.run(['runs', f, '--json']).stdout) as { status: string }[];
    expect(runsOf('x.toml').map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(runsOf('y.toml').map((r) => r.status)).toEqual(['interrupted']);
    rig.write('release', '');
    // y's next run collects y's attempt.
    const y2 = rig.run(['run', 'y.toml']);
    expect(y2.code).toBe(0);
    expect(y2.stdout).toContain('reattached');
    expect(count(rig, 'a-Y')).toBe(1);
    // Switching between the files reruns nothing as changed.
    for (const f of ['x.toml', 'y.toml'])
      expect(rig.run(['run', f, '--dry-run']).stdout).toBe('would run 0 of 1 selected task (1 up to date)\n');
  }, 120_000);

  it('an older layout, state directly in .campaign/, moves into the state directory of its campaign file', () => {
    rig.write('c.toml', head + node('a'));
    // `--state-dir .campaign` writes exactly the layout of older versions.
    expect(rig.run(['run', 'c.toml', '--state-dir', '.campaign']).code).toBe(0);
    expect(existsSync(rig.path('.campaign/runs'))).toBe(true);
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 0 of 1 selected task (1 up to date)\n',
    );
    expect(existsSync(rig.path('.campaign/c/runs'))).toBe(true);
    expect(existsSync(rig.path('.campaign/runs'))).toBe(false);
    expect((JSON.parse(rig.run(['runs', 'c.toml', '--json']).stdout) as unknown[]).length).toBe(1);
    expect(count(rig, 'a')).toBe(1);
  });
});

/** Whether a tmpfs can be mounted here (root): a small one is a state directory that runs out of space. */
const canMount = (() => {
  if (process.getuid?.() !== 0) return false;
  const d = mkdtempSync(join(tmpdir(), 'campaign-mount-'));
  try {
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d], { stdio: 'ignore' });
    if (r.status !== 0) return false;
    spawnSync('umount', [d], { stdio: 'ignore' });
    return true;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
})();

describe.skipIf(!canMount)('a state directory that runs out of space', () => {
  it('stops cleanly with one line naming it, reruns nothing that finished, and the next run resumes', async () => {
    const st = rig.path('st');
    mkdirSync(st);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', st]).status).toBe(0);
    try {
      const ids = Array.from({ length: 24 }, (_, i) => i);
      rig.write(
        'c.toml',
        `${head}[campaign.t]\nmatrix = { i = [${ids.join(', ')}] }\ncommand = "${TASK} t{i} && seq 1 6000"\n`,
      );
      const r = await within(rig.start(['run', 'c.toml', '--state-dir', st, '--ui', 'plain']), 90_000);
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `campaign: cannot write the state directory ${st}: no space left (ENOSPC); nothing more was handed out, and a new run resumes once it can be written\n`,
      );
      // Nothing ran twice, and the journal holds whole records only.
      expect(Object.values(counts(rig)).filter((n) => n !== 1)).toEqual([]);
      const [run] = readdirSync(join(st, 'runs'));
      for (const line of readFileSync(join(st, 'runs', run!, 'journal.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean))
        expect(() => JSON.parse(line)).not.toThrow();
      const status = JSON.parse(rig.run(['status', 'c.toml', '--state-dir', st, '--json']).stdout) as {
        tasks: { id: string; state: string }[];
      };
      const done = status.tasks.filter((t) => t.state === 'succeeded').map((t) => t.id);
      expect(done.length).toBeGreaterThan(0);
      expect(done.length).toBeLessThan(24);
      // Space is freed: the next run resumes, and what finished stays finished.
      expect(spawnSync('mount', ['-o', 'remount,size=20m', st]).status).toBe(0);
      const again = rig.run(['run', 'c.toml', '--state-dir', st]);
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
      for (const id of done) expect(count(rig, id.replace(/\[(\d+)\]/, '$1'))).toBe(1);
      expect(Object.keys(counts(rig))).toHaveLength(24);
      expect(rig.run(['run', 'c.toml', '--state-dir', st, '--dry-run']).stdout).toBe(
        'would run 0 of 24 selected tasks (24 up to date)\n',
      );
    } finally {
      spawnSync('umount', [st]);
    }
  }, 180_000);
});
