import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { TASK, waitFor } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { assertSlurm, describeSlurm, liveJobs, UNIQUE } from './helpers.js';

/** `status` of a campaign run on the real local Slurm: attempts are jobs, placed where Slurm ran them. */
let rig: Rig;
let name = '';
beforeAll(() => assertSlurm());
beforeEach(() => {
  rig = new Rig('campaign-slurm-attempts-');
});
let head: ReturnType<Rig['start']> | undefined;
afterEach(() => {
  if (head && head.child.exitCode === null) head.child.kill('SIGKILL');
  head = undefined;
  const ids = liveJobs(`${name}.`);
  if (ids.length > 0) spawnSync('scancel', ids, { stdio: 'ignore' });
  rig.cleanup();
});

interface Task {
  id: string;
  where?: string;
  attempts?: Record<string, unknown>[];
}

/** Waits for the test to let task NAME go (jobs run in the rig's folder). */
const hold = (name: string) => `while [ ! -f release-${name} ]; do sleep 0.2; done`;

/** The file that lets a task go: `many[1]` waits for `release-many-1`. */
const releaseOf = (id: string) => `release-${id.replace(/\[(\d+)\]$/, '-$1')}`;

/** The host names Slurm knows (the local cluster has one node). */
function nodes(): string[] {
  const r = spawnSync('sinfo', ['-h', '-N', '-o', '%N'], { encoding: 'utf8' });
  return [...new Set(r.stdout.split('\n').filter(Boolean))];
}

describeSlurm('status of a Slurm run', () => {
  it('lists each attempt as a job with its request, its use and its node', async () => {
    name = `sa${UNIQUE}`;
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "${name}"
        [campaign.scheduler]
        type = "slurm"
        poll_interval = "1s"
        [campaign.one]
        command = "${TASK} one && ${hold('one')}"
        timeout = "5m"
        resources = { cores = 1, memory = "100M", runtime = "2m" }
        [campaign.many]
        matrix = { i = [0, 1] }
        command = "${TASK} many-{i} && ${hold('many-{i}')}"
        timeout = "5m"
        resources = { cores = 1, memory = "64M" }
      `),
    );
    const run = rig.start(['run', 'c.toml', '--ui', 'plain']);
    head = run;
    // Each job is held until it is seen running (and so placed on its node), then let go: the
    // cluster may run fewer of them at once than there are.
    const status = () => JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as { tasks: Task[] };
    const seen = new Set<string>();
    await waitFor(() => {
      for (const t of status().tasks) {
        if (t.attempts?.[0]?.state !== 'running' || seen.has(t.id)) continue;
        seen.add(t.id);
        rig.write(releaseOf(t.id), '');
      }
      return seen.size === 3;
    }, 240_000);
    const r = await run.done;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = status();
    const task = (id: string) => s.tasks.find((t) => t.id === id)!;
    const one = task('one').attempts!;
    const many = task('many[1]').attempts!;
    const [a, b] = [one[0]!, many[0]!];
    const job = (x: Record<string, unknown>) => (x.where as { job: string }).job;
    expect(job(a)).toMatch(/^\d+$/);
    expect(job(b)).toMatch(/^\d+_1$/);
    const host = (a.where as { host: string }).host;
    expect(nodes()).toContain(host);
    const mask = (x: Record<string, unknown>) => ({
      ...x,
      used: Object.fromEntries(Object.entries(x.used as Record<string, number>).map(([k]) => [k, 'N'])),
      where: { ...(x.where as object), job: 'JOB' },
      started: typeof x.started === 'string' && !Number.isNaN(Date.parse(x.started)) ? 'T' : x.started,
      ended: typeof x.ended === 'string' && !Number.isNaN(Date.parse(x.ended)) ? 'T' : x.ended,
    });
    const used = { wall_s: 'N', cpu_s: 'N', max_rss_bytes: 'N' };
    expect(one.map(mask)).toStrictEqual([
      {
        n: 1,
        state: 'succeeded',
        requested: { cores: 1, memory_bytes: 100 * 1024 * 1024, runtime_s: 120, limit_s: 300 },
        used,
        where: { job: 'JOB', host },
        started: 'T',
        ended: 'T',
      },
    ]);
    expect(many.map(mask)).toStrictEqual([
      {
        n: 1,
        state: 'succeeded',
        requested: { cores: 1, memory_bytes: 64 * 1024 * 1024, limit_s: 300 },
        used,
        where: { job: 'JOB', host },
        started: 'T',
        ended: 'T',
      },
    ]);
    for (const x of [a, b]) {
      for (const v of Object.values(x.used as Record<string, number>)) expect(v).toBeGreaterThanOrEqual(0);
      expect(Date.parse(x.ended as string)).toBeGreaterThanOrEqual(Date.parse(x.started as string));
    }
    // A job is labelled as one, array index and all, never as a pid.
    expect([task('one').where, task('many[1]').where]).toStrictEqual([`job ${job(a)}`, `job ${job(b)}`]);
  }, 300_000);
});
