import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { count, counts, TASK, waitFor } from '../engine/helpers.js';
import { dedent, Rig } from '../rig.js';
import { assertSlurm, describeSlurm, liveJobs, UNIQUE } from '../slurm/helpers.js';

/**
 * The scheduler of a run is a fact of the run: a run handed to Slurm with `--detach` is
 * watched, shown, cancelled and resumed on Slurm, whatever the campaign file says now.
 */
let rig: Rig;
let names: string[] = [];
beforeAll(() => assertSlurm());
beforeEach(() => {
  rig = new Rig('campaign-slurm-state-');
  names = [];
});
afterEach(() => {
  // Whatever a failed test left in the queue goes.
  const ids = names.flatMap((n) => liveJobs(`${n}.`));
  if (ids.length > 0) spawnSync('scancel', ids, { stdio: 'ignore' });
  rig.cleanup();
});

/** A chain a → b → c (`a` takes `a` as arguments); the file runs locally unless `scheduler` says more. */
const chain = (name: string, a: string, scheduler = '') =>
  dedent(`
    [campaign]
    name = "${name}"
    ${scheduler}
    [campaign.defaults.resources]
    memory = "100M"
    runtime = "5m"
    [campaign.a]
    command = "${TASK} a ${a}"
    [campaign.b]
    command = "${TASK} b"
    depends_on = ["a"]
    [campaign.c]
    command = "${TASK} c"
    depends_on = ["b"]
  `);

const SLURM = ['--set', 'scheduler.type=slurm', '--set', 'scheduler.poll_interval=1s'];

interface Status {
  totals: Record<string, number>;
  tasks: { id: string; state: string; where?: string }[];
}

describeSlurm('a detached Slurm run of a campaign file that says local', () => {
  it('resume refuses, status asks Slurm, watch finishes the run on Slurm with only its own tasks', async () => {
    const name = `st${UNIQUE}a`;
    names.push(name);
    // a runs until the test lets it go.
    rig.write('c.toml', chain(name, '&& while [ ! -f release ]; do sleep 0.2; done'));
    const d = rig.run(['run', 'c.toml', ...SLURM, '--detach', '--until', 'b']);
    expect(d.stderr).toBe('');
    expect(d.code).toBe(0);
    // The jobs are not the local machine's pids: a local run cannot follow them.
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^campaign: run \S+ left 2 attempts on slurm, and c\.toml now runs on local, which cannot follow them; 'campaign watch c\.toml' follows the run to its end on slurm, 'campaign cancel c\.toml' stops it\n$/,
    );
    // No head: one queue query tells running from waiting.
    await waitFor(() => count(rig, 'a') === 1, 180_000);
    const s = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as Status;
    const state = (id: string) => s.tasks.find((t) => t.id === id)?.state;
    expect([state('a'), state('b'), state('c')]).toEqual(['running', 'queued', 'pending']);
    expect(s.tasks.find((t) => t.id === 'a')?.where).toMatch(/^job \d+/);
    rig.write('release', '');
    const w = rig.run(['watch', 'c.toml', '--ui', 'plain'], { timeout: 240_000 });
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    expect(w.stdout).toContain(' on slurm: 2 tasks');
    // Each ran once, on Slurm; c, left out by --until, did not run at all.
    expect(counts(rig)).toEqual({ a: 1, b: 1 });
    expect(liveJobs(`${name}.`)).toEqual([]);
  }, 300_000);

  it('cancel without a head cancels every job of the run with one scancel and records them', async () => {
    const name = `st${UNIQUE}b`;
    names.push(name);
    rig.write(
      'c.toml',
      chain(name, 'sleep=120', '[campaign.scheduler]\ntype = "slurm"\npoll_interval = "1s"'),
    );
    const d = rig.run(['run', 'c.toml', '--detach']);
    expect(d.code).toBe(0);
    await waitFor(() => liveJobs(`${name}.`).length === 3, 60_000);
    const c = rig.run(['cancel', 'c.toml', '--reason', 'wrong inputs'], { timeout: 120_000 });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(
      /^no head is running the campaign: cancelled 3 attempts of run \S+ on slurm and recorded them as cancelled\n$/,
    );
    await waitFor(() => liveJobs(`${name}.`).length === 0, 60_000);
    const s = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout) as Status;
    expect(s.totals.cancelled).toBe(3);
    // The cancel is in the audit history, with its reason.
    const history = JSON.parse(rig.run(['history', 'c.toml', '--json']).stdout) as Record<string, unknown>[];
    expect(history.map((e) => [e.action, e.status, e.reason])).toEqual([
      ['run', 'detached', undefined],
      ['cancel', 'cancelled', 'wrong inputs'],
    ]);
    const runs = JSON.parse(rig.run(['runs', 'c.toml', '--json']).stdout) as { status: string }[];
    expect(runs.map((r) => r.status)).toEqual(['detached', 'cancelled']);
    expect(count(rig, 'b')).toBe(0);
  }, 300_000);
});
