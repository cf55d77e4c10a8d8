import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repo } from '../rig.js';

const rig = new Rig('campaign-planning-');
afterAll(() => rig.cleanup());

/** The hand-worked example of docs/planning.md. */
const example = (resources: string, extra = '') => `[campaign]
name = "example"

[campaign.resources]
${resources}
${extra}
[campaign.a]
command = "true"
resources = { cores = 4, memory = "2G", runtime = "1h" }

[campaign.b]
command = "true"
depends_on = "a"
resources = { cores = 2, memory = "2G", runtime = "2h" }

[campaign.c]
command = "true"
depends_on = "a"
resources = { cores = 2, memory = "2G", runtime = "1h" }

[campaign.d]
command = "true"
depends_on = ["b", "c"]
resources = { cores = 4, memory = "2G", runtime = "30m" }

[campaign.e]
command = "true"
resources = { cores = 1, memory = "12G", runtime = "1h" }

[campaign.f]
command = "true"
resources = { cores = 1, memory = "12G", runtime = "1h" }
`;

const BUDGET = 'nodes = 1\ncores_per_node = 4\nmemory_per_node = "16G"';

const SCHEDULE = `schedule on 1 node x 4 cores x 16G
group  tasks  cores  memory  runtime  core-h
a          1  4      2G      1h         4.00
b          1  2      2G      2h         4.00
c          1  2      2G      1h         2.00
d          1  4      2G      30m        2.00
e          1  1      12G     1h         1.00
f          1  1      12G     1h         1.00

  makespan       4h30m
  core-hours     14.00
  peak           2 tasks, 4 cores
  critical path  a → b → d (3h30m)
  ends last      a → c → e → f → d
`;

describe('campaign plan: the schedule on the budget', () => {
  it('shows the hand-worked example after the tree', () => {
    rig.write('ex.toml', example(BUDGET));
    const r = rig.run(['plan', 'ex.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`  critical path  a → b → d (3h30m)\n\n${SCHEDULE}\n`);
    expect(r.stdout).toContain('│\n   ░ ▒ ▓ █: up to 1/4, 1/2, 3/4, all of the peak of 4 cores\n');
  });

  it('shows nothing more without a budget', () => {
    rig.write('none.toml', example('').replace('[campaign.resources]\n', ''));
    const r = rig.run(['plan', 'none.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('schedule on');
  });

  it('--json gives the schedule', () => {
    rig.write('ex.toml', example(BUDGET));
    const r = rig.run(['plan', 'ex.toml', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schedule.makespan_s).toBe(16200);
    expect(doc.schedule.core_hours).toBe(14);
    expect(doc.schedule.critical_path).toEqual({ tasks: ['a', 'b', 'd'], seconds: 12600 });
    const at = Object.fromEntries(
      doc.schedule.tasks.map((t: { id: string; start_s: number; end_s: number }) => [
        t.id,
        [t.start_s, t.end_s],
      ]),
    );
    expect(at).toEqual({
      a: [0, 3600],
      b: [3600, 10800],
      c: [3600, 7200],
      d: [14400, 16200],
      e: [7200, 10800],
      f: [10800, 14400],
    });
    expect(doc.schedule.tasks[0]).toEqual({
      id: 'a',
      start_s: 0,
      end_s: 3600,
      node_index: 0,
      cores: 4,
      memory_bytes: 2 * 1024 ** 3,
    });
  });

  it('shows estimate, headroom and request for nodes that declare headroom', () => {
    rig.write(
      'hr.toml',
      example(BUDGET).replace(
        '[campaign.e]\ncommand = "true"\n',
        '[campaign.e]\ncommand = "true"\nheadroom = { memory = "25%", runtime = "50%" }\n',
      ),
    );
    const r = rig.run(['plan', 'hr.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'sizing (estimate + headroom = request)\n  node  memory                  runtime\n  e     12G +25% = 15G          1h +50% = 1h30m\n',
    );
  });
});

describe('campaign plan: the deadline', () => {
  it('a missed deadline is exit 2 at the deadline, with the nodes that meet it', () => {
    rig.write('late.toml', example(BUDGET, 'deadline = "4h"\n'));
    const r = rig.run(['plan', 'late.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'late.toml:8:12: error: the makespan 4h30m misses the deadline 4h by 30m; critical path a → b → d (3h30m), ends last a → c → e → f → d [deadline-missed]\n' +
        '  8 | deadline = "4h"\n' +
        '    |            ^^^^\n' +
        '  help: with nodes = 2 the makespan is 3h30m\n' +
        '\n' +
        '1 error\n',
    );
  });

  it('a deadline that is met is shown with the time to spare', () => {
    rig.write('ok.toml', example(BUDGET, 'deadline = "5h"\n'));
    const r = rig.run(['plan', 'ok.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  deadline       5h away, met with 30m to spare\n');
  });

  it('accepts a TOML datetime', () => {
    rig.write('date.toml', example(BUDGET, 'deadline = 2999-01-01T00:00:00Z\n'));
    const r = rig.run(['plan', 'date.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('headroom and deadline values', () => {
  it('a bad headroom is a positioned diagnostic', () => {
    rig.write(
      'badhr.toml',
      '[campaign]\nname = "x"\n[campaign.defaults]\nheadroom = { memory = "30" }\n[campaign.a]\ncommand = "true"\nheadroom = { runtme = "5%" }\n',
    );
    const r = rig.run(['plan', 'badhr.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'badhr.toml:4:23: error: headroom `memory` must be a percentage from "0%" to "1000%", not "30" [bad-headroom]\n' +
        '  4 | headroom = { memory = "30" }\n' +
        '    |                       ^^^^\n' +
        '\n' +
        'badhr.toml:7:14: error: unknown key `runtme` in headroom [unknown-key]\n' +
        '  7 | headroom = { runtme = "5%" }\n' +
        '    |              ^^^^^^\n' +
        '  help: did you mean `runtime`?\n' +
        '\n' +
        '2 errors\n',
    );
  });

  it('a deadline that is neither a date nor a duration is a positioned diagnostic', () => {
    rig.write(
      'baddl.toml',
      '[campaign]\nname = "x"\n[campaign.resources]\ndeadline = "soon"\n[campaign.a]\ncommand = "true"\n',
    );
    const r = rig.run(['plan', 'baddl.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('baddl.toml:4:12: error: the deadline must be a date-time');
    expect(r.stderr).toContain('[bad-deadline]');
  });

  it('headroom is inherited, closest wins', () => {
    rig.write(
      'inh.toml',
      '[campaign]\nname = "x"\n[campaign.resources]\nnodes = 1\n[campaign.defaults]\nheadroom = { memory = "100%" }\n' +
        '[campaign.g]\nheadroom = { memory = "50%" }\n[campaign.g.a]\ncommand = "true"\nresources = { memory = "2G" }\n' +
        '[campaign.b]\ncommand = "true"\nresources = { memory = "2G" }\n',
    );
    const r = rig.run(['plan', 'inh.toml', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const mem = Object.fromEntries(
      doc.sizing.map((s: { node: string; memory_bytes: { request: number } }) => [
        s.node,
        s.memory_bytes.request,
      ]),
    );
    expect(mem).toEqual({ 'g.a': 3 * 1024 ** 3, b: 4 * 1024 ** 3 });
  });
});

describe('the SO mapmaking example', () => {
  it('plans on its budget, with headroom, and meets its deadline', () => {
    const file = `${repo}/campaigns/so-mapmaking/campaign.toml`;
    const r = rig.run(['plan', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('schedule on 1 node x 2 cores x 4G\n');
    expect(r.stdout).toContain('  makespan       13m30s\n  core-hours     0.28\n');
    expect(r.stdout).toContain('  deadline       1h away, met with 46m30s to spare\n');
    expect(r.stdout).toContain('  ml-mapmaking                 512M +25% = 640M        5m +50% = 7m30s\n');
  });
});
