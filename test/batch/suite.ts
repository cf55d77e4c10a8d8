import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { count, counts, mask, startedAfter, TASK, waitFor } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { type BatchCluster, callLogger } from './clusters.js';
import { UNIQUE } from './helpers.js';

interface Status {
  totals: Record<string, number>;
  tasks: { id: string; state: string; where?: string; failure?: string; message?: string }[];
}

const ALL = ['prep', 'gen-0', 'gen-1', 'gen-2', 'gen-3', 'post-0', 'post-1', 'post-2', 'post-3', 'funnel'];
const once = (ids: readonly string[]) => Object.fromEntries(ids.map((t) => [t, 1]));

/**
 * The scheduler suite: campaigns through the real binary on a real batch scheduler, the same
 * cases for each (test/batch/slurm.test.ts, test/batch/sge.test.ts). A case differs between
 * schedulers only by `[campaign.scheduler]` and by how a test looks at the queue.
 */
export function schedulerSuite(c: BatchCluster): void {
  let rig: Rig;
  let names: string[] = [];
  /** Heads started in the background, ended after a test that failed while they ran. */
  let heads: ReturnType<Rig['start']>[] = [];
  beforeAll(() => c.gate.assert());
  beforeEach(() => {
    rig = new Rig(`campaign-batch-${c.type}-`);
    names = [];
    heads = [];
  });
  afterEach(() => {
    for (const h of heads)
      if (h.child.exitCode === null && h.child.signalCode === null) h.child.kill('SIGKILL');
    // Whatever a failed test left in the queue goes.
    const ids = names.flatMap((n) => c.liveJobs(`${n}.`));
    if (ids.length > 0) c.kill(ids);
    rig.cleanup();
  });

  /** A fresh campaign name, cleaned out of the queue after the test. */
  const named = (letter: string) => {
    const name = `b${c.type}${UNIQUE}${letter}`;
    names.push(name);
    return name;
  };

  const header = (name: string, extra = '') =>
    dedent(`
      [campaign]
      name = "${name}"
      [campaign.scheduler]
      type = "${c.type}"
      ${c.options.split('\n').join('\n      ')}
      [campaign.defaults.resources]
      memory = "100M"
      runtime = "5m"
    `) + extra;

  /** A chain, a fan-out array, an array after it item by item, and a funnel: 10 tasks. */
  const graph = (name: string, genArgs = '') =>
    header(name) +
    dedent(`
      [campaign.prep]
      command = "${TASK} prep"
      [campaign.gen]
      matrix = { i = [0, 1, 2, 3] }
      command = "${TASK} gen-{i} ${genArgs}"
      depends_on = ["prep"]
      [campaign.post]
      matrix = { i = [0, 1, 2, 3] }
      command = "${TASK} post-{i}"
      depends_on = ["gen"]
      [campaign.funnel]
      command = "${TASK} funnel"
      depends_on = ["post[*]"]
    `);

  const status = () => JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as Status;
  const task = (s: Status, id: string) => s.tasks.find((t) => t.id === id);

  c.gate.describe(`the scheduler suite on ${c.type}`, () => {
    it('a chain, a fan-out array, per-item dependencies and a funnel run in order, each task once', () => {
      const name = named('a');
      rig.write('c.toml', graph(name));
      const r = rig.run(['run', 'c.toml'], { timeout: 280_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(counts(rig)).toEqual(once(ALL));
      for (let i = 0; i < 4; i++) {
        expect(startedAfter(rig, `gen-${i}`, 'prep')).toBe(true);
        expect(startedAfter(rig, `post-${i}`, `gen-${i}`)).toBe(true);
        expect(startedAfter(rig, 'funnel', `post-${i}`)).toBe(true);
      }
      expect(mask(r.stdout, rig)).toContain('[t] succeeded: 10 succeeded in Ns');
      const s = status();
      expect(s.totals.succeeded).toBe(10);
      expect(task(s, 'gen[2]')?.where).toMatch(c.arrayTask(2));
      expect(c.liveJobs(`${name}.`)).toEqual([]);
    }, 300_000);

    it('a failing array task: its dependents are skipped, the others finish, status says which and why', () => {
      const name = named('b');
      rig.write('c.toml', graph(name, 'exit={i}'));
      // gen-0 exits 0; gen-1..3 exit with their index.
      const r = rig.run(['run', 'c.toml'], { timeout: 280_000 });
      expect(r.code).toBe(1);
      expect(counts(rig)).toEqual(once(['prep', 'gen-0', 'gen-1', 'gen-2', 'gen-3', 'post-0']));
      const f = rig.run(['status', 'c.toml', '--failed']);
      expect(f.stderr).toBe('');
      expect(f.code).toBe(0);
      const failed = f.stdout;
      expect(failed).toContain('gen[1]  failed: exit code 1');
      expect(failed).toContain('gen[3]  failed: exit code 3');
      expect(failed).toContain('post[2]  skipped: upstream gen[2] failed');
      expect(failed).toContain('funnel  skipped: upstream post[');
      expect(status().totals).toMatchObject({ succeeded: 3, failed: 3, skipped: 4 });
      expect(c.liveJobs(`${name}.`)).toEqual([]);
    }, 300_000);

    it('a job cancelled from outside the program fails as cancelled; what depends on it is skipped', async () => {
      const name = named('x');
      rig.write(
        'c.toml',
        header(name) +
          dedent(`
            [campaign.long]
            command = "${TASK} long sleep=300"
            [campaign.after]
            command = "${TASK} after"
            depends_on = ["long"]
            [campaign.other]
            command = "${TASK} other"
          `),
      );
      const head = rig.start(['run', 'c.toml', '--ui', 'plain']);
      heads.push(head);
      await waitFor(() => count(rig, 'long') === 1 && count(rig, 'other') === 1, 180_000);
      // long and other have the same request: two tasks of one array job.
      const job = task(status(), 'long')?.where?.replace(/^job /, '');
      expect(job).toMatch(/^\d+[._]\d+$/);
      c.kill([job!]);
      const r = await head.done;
      expect(r.code).toBe(1);
      const s = status();
      expect(task(s, 'long')).toMatchObject({ state: 'failed', failure: 'cancelled' });
      expect(task(s, 'after')?.state).toBe('skipped');
      expect(task(s, 'other')?.state).toBe('succeeded');
      expect(counts(rig)).toEqual({ long: 1, other: 1 });
      expect(c.liveJobs(`${name}.`)).toEqual([]);
    }, 300_000);

    it('a task past its time limit ends timed out, and what depends on it is skipped', () => {
      const name = named('t');
      rig.write(
        'c.toml',
        header(name) +
          dedent(`
            [campaign.slow]
            command = "${TASK} slow sleep=300"
            timeout = "60s"
            [campaign.after]
            command = "${TASK} after"
            depends_on = ["slow"]
          `),
      );
      const r = rig.run(['run', 'c.toml'], { timeout: 280_000 });
      expect(r.code).toBe(1);
      const s = status();
      expect(task(s, 'slow')).toMatchObject({ state: 'failed', failure: 'timeout' });
      expect(task(s, 'after')?.state).toBe('skipped');
      expect(rig.run(['status', 'c.toml', '--failed']).stdout).toMatch(/^slow {2}failed: timed out/m);
      expect(c.liveJobs(`${name}.`)).toEqual([]);
    }, 300_000);

    it('a task over its memory ends out of memory', () => {
      const name = named('m');
      rig.write(
        'c.toml',
        header(name) +
          dedent(`
            [campaign.hog]
            command = "for i in 1 2 3; do (head -c 45M /dev/zero; sleep 30) | tail >/dev/null & done; wait"
            resources = { memory = "90M", runtime = "5m" }
            [campaign.fine]
            command = "${TASK} fine"
          `),
      );
      const r = rig.run(['run', 'c.toml'], { timeout: 280_000 });
      expect(r.code).toBe(1);
      const s = status();
      expect(task(s, 'hog')).toMatchObject({ state: 'failed', failure: 'oom' });
      expect(task(s, 'fine')?.state).toBe('succeeded');
      expect(rig.run(['status', 'c.toml', '--failed']).stdout).toMatch(/^hog {2}failed: out of memory/m);
      expect(c.liveJobs(`${name}.`)).toEqual([]);
    }, 300_000);

    it('--detach hands the campaign over and exits; it completes with no head; watch collects and shows the end', async () => {
      const name = named('c');
      rig.write('c.toml', graph(name));
      const d = rig.run(['run', 'c.toml', '--detach']);
      expect(d.stderr).toBe('');
      expect(d.code).toBe(0);
      expect(d.stdout).toContain(
        `the campaign runs on ${c.type} without this process; follow it with: campaign watch c.toml`,
      );
      expect(c.liveJobs(`${name}.`).length).toBeGreaterThan(0);
      // No head: the scheduler runs the whole campaign by its own dependencies.
      await waitFor(() => c.liveJobs(`${name}.`).length === 0 && count(rig, 'funnel') === 1, 250_000);
      const w = rig.run(['watch', 'c.toml', '--ui', 'plain'], { timeout: 120_000 });
      expect(w.code).toBe(0);
      expect(mask(w.stdout, rig)).toContain('[t] succeeded: 10 succeeded in Ns');
      expect(counts(rig)).toEqual(once(ALL));
      expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
        'would run 0 of 10 selected tasks (10 up to date)\n',
      );
    }, 300_000);

    it('--detach then cancel with no head: one cancel for every job of the run, all recorded cancelled', async () => {
      const name = named('k');
      rig.write(
        'c.toml',
        header(name) +
          dedent(`
            [campaign.a]
            command = "${TASK} a sleep=120"
            [campaign.b]
            command = "${TASK} b"
            depends_on = ["a"]
            [campaign.c]
            command = "${TASK} c"
            depends_on = ["b"]
          `),
      );
      const d = rig.run(['run', 'c.toml', '--detach']);
      expect(d.code).toBe(0);
      await waitFor(() => c.liveJobs(`${name}.`).length === 3, 60_000);
      const k = rig.run(['cancel', 'c.toml'], { timeout: 120_000 });
      expect(k.stderr).toBe('');
      expect(k.code).toBe(0);
      expect(k.stdout).toMatch(
        new RegExp(
          `^no head is running the campaign: cancelled 3 attempts of run \\S+ on ${c.type} and recorded them as cancelled\\n$`,
        ),
      );
      await waitFor(() => c.liveJobs(`${name}.`).length === 0, 60_000);
      expect(status().totals.cancelled).toBe(3);
      const runs = JSON.parse(rig.run(['runs', 'c.toml', '--json']).stdout) as { status: string }[];
      expect(runs.map((r) => r.status)).toEqual(['detached', 'cancelled']);
      expect([count(rig, 'b'), count(rig, 'c')]).toEqual([0, 0]);
    }, 300_000);

    it(`one ${c.queueCommand} per poll, for the whole run, with many tasks pending`, async () => {
      const name = named('p');
      const release = rig.path('release');
      rig.write(
        'c.toml',
        header(name) +
          dedent(`
            [campaign.hold]
            command = "while [ ! -f ${release} ]; do sleep 0.2; done; ${TASK} hold"
            [campaign.many]
            matrix = { i = [${Array.from({ length: 40 }, (_, i) => i).join(', ')}] }
            command = "${TASK} many-{i}"
            depends_on = ["hold"]
          `),
      );
      const logger = callLogger(rig.path('bin'), c.queueCommand);
      const calls = () =>
        existsSync(logger.log)
          ? readFileSync(logger.log, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => l.split('\t'))
          : [];
      const head = rig.start(['run', 'c.toml', '--ui', 'plain'], { env: logger.env });
      heads.push(head);
      // 41 jobs in the queue, 40 of them pending on the first: polls go by.
      await waitFor(() => c.liveJobs(`${name}.`).length === 41, 120_000);
      const jobs = c.liveJobs(`${name}.`);
      const from = calls().length;
      await waitFor(() => calls().length >= from + 5, 120_000);
      const polls = calls().slice(from);
      rig.write('release', '');
      const r = await head.done;
      expect(r.code).toBe(0);
      // Each call while they waited answered for all 41 jobs at once: one call a poll cycle.
      expect(polls.filter((args) => !c.wholeQueue(args, jobs))).toEqual([]);
      expect(polls.length).toBeGreaterThanOrEqual(5);
      expect(count(rig, 'many-39')).toBe(1);
      expect(status().totals.succeeded).toBe(41);
    }, 300_000);
  });
}
