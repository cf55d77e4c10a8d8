import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TASK, waitFor } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';

/** `status` lists each task's attempts: what each asked for, what it used, where and when it ran. */
let rig: Rig;
beforeEach(() => {
  rig = new Rig('campaign-status-attempts-');
});
afterEach(() => rig.cleanup());

const campaign = dedent(`
  [campaign]
  name = "att"
  [campaign.defaults.resources]
  memory = "100M"
  runtime = "1m"
  [campaign.ok]
  command = "${TASK} ok"
  timeout = "5m"
  [campaign.flaky]
  command = "${TASK} flaky failfirst=1"
  timeout = "5m"
  retries = { count = 1, backoff = "0s" }
  [campaign.slow]
  command = "${TASK} slow sleep=30"
  timeout = "1s"
  resources = { cores = 2 }
`);

interface Task {
  id: string;
  state: string;
  where?: string;
  attempts?: Record<string, unknown>[];
}

/**
 * The attempts with what varies masked: times (ISO 8601, in order), measured use (numbers)
 * and pids, each checked for its form first.
 */
function masked(attempts: Record<string, unknown>[] | undefined): unknown {
  return attempts?.map((a) => {
    const out: Record<string, unknown> = { ...a };
    for (const k of ['started', 'ended'] as const) {
      if (a[k] === undefined) continue;
      expect(a[k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      out[k] = 'T';
    }
    if (a.started !== undefined && a.ended !== undefined)
      expect(Date.parse(a.ended as string)).toBeGreaterThanOrEqual(Date.parse(a.started as string));
    if (a.used) {
      const used = a.used as Record<string, number>;
      for (const v of Object.values(used)) expect(Number.isFinite(v) && v >= 0).toBe(true);
      out.used = Object.fromEntries(Object.keys(used).map((k) => [k, 'N']));
    }
    if (a.where) {
      const w = a.where as { pid?: number };
      expect(Number.isInteger(w.pid)).toBe(true);
      out.where = { ...w, pid: 'PID' };
    }
    return out;
  });
}

const REQUEST = { cores: 1, memory_bytes: 100 * 1024 * 1024, runtime_s: 60, limit_s: 300 };
const USED = { wall_s: 'N', cpu_s: 'N', max_rss_bytes: 'N' };
const HERE = { pid: 'PID', host: hostname() };

describe('status --json attempts', () => {
  it('a success, a failure then a success, and a timeout: each attempt exactly', () => {
    rig.write('c.toml', campaign);
    const r = rig.run(['run', 'c.toml', '--ui', 'plain']);
    expect(r.code).toBe(1);
    const s = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as { tasks: Task[] };
    const task = (id: string) => s.tasks.find((t) => t.id === id)!;
    expect(masked(task('ok').attempts)).toStrictEqual([
      { n: 1, state: 'succeeded', requested: REQUEST, used: USED, where: HERE, started: 'T', ended: 'T' },
    ]);
    expect(masked(task('flaky').attempts)).toStrictEqual([
      {
        n: 1,
        state: 'failed',
        failure: 'failed',
        requested: REQUEST,
        used: USED,
        where: HERE,
        started: 'T',
        ended: 'T',
      },
      { n: 2, state: 'succeeded', requested: REQUEST, used: USED, where: HERE, started: 'T', ended: 'T' },
    ]);
    expect(masked(task('slow').attempts)).toStrictEqual([
      {
        n: 1,
        state: 'failed',
        failure: 'timeout',
        requested: { ...REQUEST, cores: 2, limit_s: 1 },
        used: USED,
        where: HERE,
        started: 'T',
        ended: 'T',
      },
    ]);
    // It ran for its limit at least.
    expect((task('slow').attempts![0]!.used as { wall_s: number }).wall_s).toBeGreaterThanOrEqual(1);
    expect([task('ok').where, task('slow').where]).toStrictEqual([
      expect.stringMatching(/^pid \d+$/),
      expect.stringMatching(/^pid \d+$/),
    ]);

    // The text shows the failed attempt's use against its request.
    const failed = rig.run(['status', 'c.toml', '--failed']).stdout;
    expect(
      failed
        .replaceAll(rig.dir, '<dir>')
        .replace(/\d{8}_\d{6}_run/, 'RUN')
        .replace(/wall \S+ of/, 'wall W of')
        .replace(/cpu \S+ on/, 'cpu C on')
        .replace(/peak \S+ of/, 'peak P of'),
    ).toBe(
      dedent(`
        slow  failed: timed out after 1s
          used: wall W of 1s limit, cpu C on 2 cores, peak P of 100M
          log: <dir>/.campaign/c/runs/RUN001/tasks/slow.1.err
      `),
    );
  });

  it('a task never run has no attempts; a running one shows its request and its time so far', async () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "live"
        [campaign.hold]
        command = "${TASK} hold && while [ ! -f release ]; do sleep 0.1; done"
        timeout = "5m"
        resources = { cores = 2, memory = "200M" }
        [campaign.next]
        command = "${TASK} next"
        depends_on = ["hold"]
      `),
    );
    const run = rig.start(['run', 'c.toml', '--ui', 'plain', '--cores', '2']);
    await waitFor(() => run.output().stdout.includes('started    hold'));
    const s = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as { tasks: Task[] };
    const [hold, next] = [s.tasks.find((t) => t.id === 'hold')!, s.tasks.find((t) => t.id === 'next')!];
    expect(masked(hold.attempts)).toStrictEqual([
      {
        n: 1,
        state: 'running',
        requested: { cores: 2, memory_bytes: 200 * 1024 * 1024, limit_s: 300 },
        where: HERE,
        started: 'T',
      },
    ]);
    expect(next).toStrictEqual({ id: 'next', node: 'next', state: 'pending', attempt: 0 });
    const text = rig.run(['status', 'c.toml']).stdout;
    expect(
      text.slice(text.indexOf('\n1 task not finished')).replace(/pid \d+ {2}wall \S+ of/, 'pid N  wall W of'),
    ).toBe('\n1 task not finished:\n  hold  running  pid N  wall W of 5m limit, 2 cores, memory 200M\n');
    rig.write('release', '');
    expect((await run.done).code).toBe(0);
  });
});
