import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';
import { count, mask, overlap, startedAfter, TASK, times } from './helpers.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => rig.cleanup());

const head = (extra = '') => `[campaign]\nname = "t"\n${extra}\n`;
const node = (name: string, args = '', more = '') =>
  `[campaign.${name}]\ncommand = "${TASK} ${name.split('.').pop()} ${args}"\n${more}\n`;

describe('running a campaign', () => {
  it('runs in dependency order and reports each state change', () => {
    rig.write(
      'c.toml',
      head() +
        node('a', 'sleep=0.2') +
        node('b', '', 'depends_on = ["a"]') +
        node('c', '', 'depends_on = ["a"]') +
        node('d', '', 'depends_on = ["b", "c"]'),
    );
    const r = rig.run(['run', 'c.toml', '--cores', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(startedAfter(rig, 'b', 'a')).toBe(true);
    expect(startedAfter(rig, 'c', 'a')).toBe(true);
    expect(startedAfter(rig, 'd', 'b')).toBe(true);
    expect(startedAfter(rig, 'd', 'c')).toBe(true);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 4 tasks
        [t] started    a (pid N)
        [t] succeeded  a in Ns
        [t] started    b (pid N)
        [t] succeeded  b in Ns
        [t] started    c (pid N)
        [t] succeeded  c in Ns
        [t] started    d (pid N)
        [t] succeeded  d in Ns
        [t] succeeded: 4 succeeded in Ns
      `),
    );
  });

  it('admits by cores: tasks that together need more cores than given never overlap', () => {
    rig.write(
      'c.toml',
      head() +
        node('a', 'sleep=0.3', 'resources = { cores = 2 }') +
        node('b', 'sleep=0.3', 'resources = { cores = 2 }') +
        node('c', 'sleep=0.3', 'resources = { cores = 1 }') +
        node('d', 'sleep=0.3', 'resources = { cores = 1 }'),
    );
    expect(rig.run(['run', 'c.toml', '--cores', '2']).code).toBe(0);
    const [a] = times(rig, 'a');
    const [b] = times(rig, 'b');
    const [c] = times(rig, 'c');
    const [d] = times(rig, 'd');
    expect(overlap(a!, b!)).toBe(false);
    expect(overlap(a!, c!) || overlap(a!, d!) || overlap(b!, c!) || overlap(b!, d!)).toBe(false);
    // The two one-core tasks fit together.
    expect(overlap(c!, d!)).toBe(true);
  });

  it('admits by memory: memory-heavy tasks do not oversubscribe', () => {
    rig.write(
      'c.toml',
      head() +
        node('a', 'sleep=0.3', 'resources = { memory = "600M" }') +
        node('b', 'sleep=0.3', 'resources = { memory = "600M" }') +
        node('c', 'sleep=0.3', 'resources = { memory = "300M" }'),
    );
    expect(rig.run(['run', 'c.toml', '--cores', '4', '--memory', '1G']).code).toBe(0);
    const [a] = times(rig, 'a');
    const [b] = times(rig, 'b');
    const [c] = times(rig, 'c');
    expect(overlap(a!, b!)).toBe(false);
    // One 600M task and the 300M one fit into 1G together.
    expect(overlap(a!, c!) || overlap(b!, c!)).toBe(true);
  });

  it('starts the ready task with the longest remaining path first', () => {
    rig.write(
      'c.toml',
      head() +
        node('short', '', 'resources = { runtime = "1h" }') +
        node('first', '', 'resources = { runtime = "10m" }') +
        node('long', '', 'resources = { runtime = "2h" }\ndepends_on = ["first"]'),
    );
    const r = rig.run(['run', 'c.toml', '--cores', '1']);
    const started = r.stdout.split('\n').filter((l) => l.includes('started'));
    expect(started.map((l) => l.split(/\s+/)[2])).toEqual(['first', 'long', 'short']);
  });

  it('fails a task that needs more than the run may use, with the reason', () => {
    rig.write('c.toml', head() + node('big', '', 'resources = { cores = 4 }'));
    const r = rig.run(['run', 'c.toml', '--cores', '2']);
    expect(r.code).toBe(1);
    expect(mask(r.stdout, rig)).toContain(
      '[t] failed     big: needs 4 cores, but this run may use 2 cores (see --cores, --memory)',
    );
    expect(count(rig, 'big')).toBe(0);
  });
});

describe('failures', () => {
  it('kills the whole process group on timeout and records it', () => {
    rig.write('c.toml', head() + node('slow', `sleep=30 child=2:${rig.path('late')}`, 'timeout = "1s"'));
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(1);
    expect(mask(r.stdout, rig)).toContain(
      '[t] failed     slow: timed out after 1s  log: <dir>/.campaign/c/runs/RUN001/tasks/slow.1.err',
    );
    // The grandchild belonged to the group and was killed with it.
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(existsSync(rig.path('late'))).toBe(false);
        resolve();
      }, 2500),
    );
  });

  it('retries with backoff, records every attempt, succeeds on the third', () => {
    rig.write('c.toml', head() + node('flaky', 'failfirst=2', 'retries = { count = 2, backoff = "0s" }'));
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(0);
    expect(count(rig, 'flaky')).toBe(3);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 1 task
        [t] started    flaky (pid N)
        [t] failed     flaky: exit code 1; retrying in 0s
        [t] started    flaky (attempt 2) (pid N)
        [t] failed     flaky (attempt 2): exit code 1; retrying in 0s
        [t] started    flaky (attempt 3) (pid N)
        [t] succeeded  flaky (attempt 3) in Ns
        [t] succeeded: 1 succeeded in Ns
      `),
    );
    const journal = readFileSync(rig.path('.campaign/c/runs', readRun(), 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { k: string; a?: number });
    expect(journal.filter((j) => j.k === 's').map((j) => j.a)).toEqual([1, 2, 3]);
    expect(journal.filter((j) => j.k === 'f').map((j) => j.a)).toEqual([1, 2]);
  });

  it('a missing output or a failing check fails the task', () => {
    rig.write(
      'c.toml',
      head() +
        node('noout', '', 'outputs = ["out/noout.txt"]') +
        node('good', 'out=out/good.txt', 'outputs = ["out/good.txt", "out/*.txt"]') +
        node(
          'bad',
          'out=out/bad.txt',
          `outputs = ["out/bad.txt"]\ncheck = "grep -q nothing-like-this out/bad.txt"`,
        ) +
        node(
          'checked',
          'out=out/checked.txt',
          `outputs = ["out/checked.txt"]\ncheck = ["grep", "-q", "checked", "out/checked.txt"]`,
        ),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(1);
    const out = mask(r.stdout, rig);
    expect(out).toContain('[t] failed     noout: missing output out/noout.txt  log:');
    expect(out).toContain('[t] failed     bad: check failed (exit code 1)  log:');
    expect(out).toContain('[t] succeeded  good in Ns');
    expect(out).toContain('[t] succeeded  checked in Ns');
  });

  it('skips what depends on a failure, keeps independent branches going, and prints the summary', () => {
    rig.write(
      'c.toml',
      head() +
        node('a', 'exit=3') +
        node('b', '', 'depends_on = ["a"]') +
        node('c', '', 'depends_on = ["b"]') +
        node('z', 'sleep=0.2') +
        node('after', '', 'depends_on = ["a"]\nrun_after = "any"'),
    );
    const r = rig.run(['run', 'c.toml', '--cores', '1']);
    expect(r.code).toBe(1);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 5 tasks
        [t] started    a (pid N)
        [t] failed     a: exit code 3  log: <dir>/.campaign/c/runs/RUN001/tasks/a.1.err
        [t] skipped    b: upstream a failed
        [t] skipped    c: upstream b was skipped
        [t] started    z (pid N)
        [t] succeeded  z in Ns
        [t] started    after (pid N)
        [t] succeeded  after in Ns
        [t] failed: 2 succeeded, 1 failed, 2 skipped in Ns
        failed tasks:
          a  exit code 3  <dir>/.campaign/c/runs/RUN001/tasks/a.1.err
            | a warning
        to retry them: campaign run c.toml --retry-failed
      `),
    );
    expect(count(rig, 'b')).toBe(0);
    expect(readFileSync(rig.path('.campaign/c/runs', readRun(), 'tasks/a.1.err'), 'utf8')).toBe(
      'a warning\n',
    );
  });

  it('--fail-fast launches nothing after the first failure', () => {
    rig.write('c.toml', head() + node('a', 'exit=1') + node('b') + node('c'));
    const r = rig.run(['run', 'c.toml', '--cores', '1', '--fail-fast']);
    expect(r.code).toBe(1);
    expect(count(rig, 'b') + count(rig, 'c')).toBe(0);
    expect(mask(r.stdout, rig)).toContain('[t] failed: 2 pending, 1 failed in Ns');
  });
});

describe('resume and staleness', () => {
  const chain = () =>
    head() +
    node('a', 'out=out/a', 'outputs = ["out/a"]') +
    node('b', 'out=out/b', 'outputs = ["out/b"]\ndepends_on = ["a"]') +
    node('c', '', 'depends_on = ["b"]') +
    node('x');

  it('does not repeat finished work; a changed definition reruns the node and its dependents', () => {
    rig.write('c.toml', chain());
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    const again = rig.run(['run', 'c.toml']);
    expect(mask(again.stdout, rig)).toBe(
      '[t] run RUN002 of t on local: 4 tasks, 4 up to date\n[t] nothing to do: 4 up to date\n',
    );
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 0 of 4 selected tasks (4 up to date)\n',
    );

    rig.write('c.toml', chain().replace('out=out/b', 'out=out/b sleep=0'));
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 2 of 4 selected tasks (2 up to date):\n  b  changed\n  c  upstream changed\n',
    );
    rmSync(rig.path('out/a'));
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 3 of 4 selected tasks (1 up to date):\n  a  outputs missing\n  b  changed\n  c  upstream changed\n',
    );
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    expect([count(rig, 'a'), count(rig, 'b'), count(rig, 'c'), count(rig, 'x')]).toEqual([2, 2, 2, 1]);
  });

  it('--force reruns the selection; --retry-failed only what did not succeed', () => {
    rig.write('c.toml', head() + node('a') + node('b', 'failfirst=1') + node('c', '', 'depends_on = ["b"]'));
    expect(rig.run(['run', 'c.toml']).code).toBe(1);
    expect(rig.run(['run', 'c.toml', '--dry-run', '--retry-failed']).stdout).toBe(
      'would run 2 of 3 selected tasks (1 up to date):\n  b  failed\n  c  incomplete\n',
    );
    expect(rig.run(['run', 'c.toml', '--retry-failed']).code).toBe(0);
    expect([count(rig, 'a'), count(rig, 'b'), count(rig, 'c')]).toEqual([1, 2, 1]);
    expect(rig.run(['run', 'c.toml', '--only', 'a', '--force']).code).toBe(0);
    expect([count(rig, 'a'), count(rig, 'b'), count(rig, 'c')]).toEqual([2, 2, 1]);
  });

  it('selects with --only (groups, globs), --from and --until', () => {
    rig.write(
      'c.toml',
      head() +
        node('l0') +
        node('g.l1', '', 'depends_on = ["l0"]') +
        node('g.l2', '', 'depends_on = ["l1"]') +
        node('l3', '', 'depends_on = ["g.l2"]') +
        node('other'),
    );
    const dry = (...args: string[]) => rig.run(['run', 'c.toml', '--dry-run', ...args]).stdout;
    expect(dry('--only', 'g')).toBe(
      'would run 2 of 2 selected tasks (0 up to date):\n  g.l1  new\n  g.l2  new\n',
    );
    expect(dry('--only', 'l*')).toBe(
      'would run 2 of 2 selected tasks (0 up to date):\n  l0  new\n  l3  new\n',
    );
    expect(dry('--from', 'g.l1', '--until', 'g.l2')).toBe(
      'would run 2 of 2 selected tasks (0 up to date):\n  g.l1  new\n  g.l2  new\n',
    );
    const bad = rig.run(['run', 'c.toml', '--only', 'g.l9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("campaign: no task matches 'g.l9'; did you mean 'g.l1'?\n");
    // A selected task whose upstream is neither done nor selected is skipped, with the reason.
    const r = rig.run(['run', 'c.toml', '--only', 'l3']);
    expect(r.code).toBe(1);
    expect(mask(r.stdout, rig)).toContain('[t] skipped    l3: upstream g.l2 is not done and not selected');
    expect(rig.run(['run', 'c.toml', '--until', 'g.l2']).code).toBe(0);
    expect([
      count(rig, 'l0'),
      count(rig, 'l1'),
      count(rig, 'l2'),
      count(rig, 'l3'),
      count(rig, 'other'),
    ]).toEqual([1, 1, 1, 0, 0]);
  });
});

describe('the environment of a task', () => {
  it('runs in its workdir with the merged environment and CAMPAIGN_* variables; argv is passed as is', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "envs"
        [campaign.defaults.env]
        LEVEL = "campaign"
        KEEP = "kept"
        [campaign.g]
        env = { LEVEL = "group" }
        resources = { cores = 1, memory = "100M" }
        [campaign.g.show]
        workdir = "work/here"
        command = ["sh", "-c", "pwd; echo $LEVEL $KEEP $CAMPAIGN_NAME $CAMPAIGN_TASK_ID $CAMPAIGN_ATTEMPT $CAMPAIGN_CORES $CAMPAIGN_MEMORY_MB; printf '%s|' \\"$@\\"", "sh", "a b", "$(touch pwned)", "'q'"]
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(0);
    const run = readRun();
    expect(readFileSync(rig.path('.campaign/c/runs', run, 'tasks/g.show.1.out'), 'utf8')).toBe(
      `${rig.path('work/here')}\ngroup kept envs g.show 1 1 100\na b|$(touch pwned)|'q'|`,
    );
    expect(existsSync(rig.path('work/here/pwned'))).toBe(false);
  });

  it('records exit code, wall time, CPU time and peak memory of each attempt', () => {
    rig.write('c.toml', head() + node('m', 'mem=64'));
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    const ok = readFileSync(rig.path('.campaign/c/runs', readRun(), 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { k: string; w: number; c: number; m: number })
      .find((j) => j.k === 'ok')!;
    expect(ok.w).toBeGreaterThan(0);
    expect(ok.c).toBeGreaterThan(0);
    // 64 MiB allocated and touched by a child: the peak is above it.
    expect(ok.m).toBeGreaterThan(64 * 1024);
  });
});

function readRun(): string {
  const runs = readdirRuns();
  return runs[runs.length - 1]!;
}

function readdirRuns(): string[] {
  const dir = rig.path('.campaign/c/runs');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
