import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';
import { count, counts, mask, TASK, waitFor } from './helpers.js';

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
    rig.write('c.toml', head + node('slow', 'sleep=3') + node('next', '', 'depends_on = ["slow"]'));
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
    await first.done;
    const third = rig.run(['run', 'c.toml']);
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
  });
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
      `slow  cancelled: cancelled\n  log: ${rig.path('.campaign/runs')}/${runDir(r.stdout)}/tasks/slow.1.err\n`,
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
    rig.write('c.toml', head + node('g.a', 'sleep=4') + node('g.b', '', 'depends_on = ["a"]') + node('done'));
    const run = rig.start(['run', 'c.toml', '--cores', '2']);
    await waitFor(
      () => run.output().stdout.includes('started    g.a') && run.output().stdout.includes('succeeded  done'),
    );
    const s = rig.run(['status', 'c.toml']);
    expect(
      s.stdout
        .replace(/pid \d+ on [^,]+, since [^,]+,/, 'pid N on H, since T,')
        .replace(/\d{8}_\d{6}_run/g, 'RUN')
        .replace(/pid \d+$/m, 'pid N'),
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
          g.a  running  pid N
      `),
    );
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
