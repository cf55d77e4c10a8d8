import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';
import { writeHistory } from './history-fixture.js';

const rig = new Rig('campaign-history-');
afterAll(() => rig.cleanup());

const CAMPAIGN = (cores: number, sched = 'local', extra = '') => `[campaign]
name = "h"
${extra}
[campaign.scheduler]
type = "${sched}"

[campaign.sim]
matrix = { i = "0..9" }
command = "true"
resources = { cores = ${cores}, memory = "4G", runtime = "2h" }

[campaign.tiny]
command = "true"
resources = { memory = "1G", runtime = "10m" }
`;

describe('campaign plan --right-size', () => {
  it('--json: requested vs observed vs suggested, savings over the last run', () => {
    rig.write('h.toml', CAMPAIGN(4));
    writeHistory(rig, 'h');
    const r = rig.run(['plan', 'h.toml', '--right-size', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      right_size: [
        {
          node: 'sim',
          samples: 4,
          memory: {
            requested_bytes: 4294967296,
            observed_median_bytes: 1476395008,
            observed_p95_bytes: 2147483648,
            observed_max_bytes: 2147483648,
            suggested_bytes: 2577399808,
          },
          runtime: {
            requested_s: 7200,
            observed_median_s: 2550,
            observed_p95_s: 3000,
            observed_max_s: 3000,
            suggested_s: 3600,
          },
          saves: { core_hours: 40, gb_hours: 56 },
          failed: { count: 1, kinds: { oom: 1 } },
        },
        {
          node: 'tiny',
          samples: 1,
          memory: {
            requested_bytes: 1073741824,
            observed_median_bytes: 536870912,
            observed_p95_bytes: 536870912,
            observed_max_bytes: 536870912,
            suggested_bytes: 1073741824,
          },
          runtime: {
            requested_s: 600,
            observed_median_s: 60,
            observed_p95_s: 60,
            observed_max_s: 60,
            suggested_s: 600,
          },
          saves: { core_hours: 0, gb_hours: 0 },
          notes: [
            'memory: 1 sample, fewer than 3: keeps the declared request',
            'runtime: 1 sample, fewer than 3: keeps the declared request',
          ],
        },
      ],
    });
  }, 300_000);

  it('the text tables', () => {
    rig.write('t.toml', CAMPAIGN(4));
    writeHistory(rig, 't');
    const r = rig.run(['plan', 't.toml', '--right-size']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'right-size over 2 runs (observed: succeeded attempts)\n' +
        'memory  samples  requested  median   p95   max  suggested\n' +
        '  sim         4         4G   1408M    2G    2G      2458M\n' +
        '  tiny        1         1G    512M  512M  512M         1G\n' +
        'runtime  samples  requested  median  p95  max  suggested\n' +
        '  sim          4         2h  42m30s  50m  50m         1h\n' +
        '  tiny         1        10m      1m   1m   1m        10m\n' +
        'saves   core-h   GB-h  failed\n' +
        '  sim    40.00  56.00   1 oom\n' +
        '  tiny    0.00   0.00       -\n' +
        'notes\n' +
        '  tiny: memory: 1 sample, fewer than 3: keeps the declared request\n' +
        '  tiny: runtime: 1 sample, fewer than 3: keeps the declared request\n',
    );
  }, 300_000);

  it('without recorded runs', () => {
    rig.write('none.toml', CAMPAIGN(4));
    const r = rig.run(['plan', 'none.toml', '--right-size']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('right-size: no recorded attempts in 0 runs\n');
  }, 300_000);
});

interface Attempt {
  requested: { cores: number; memory_bytes?: number; runtime_s?: number; limit_s?: number };
}

describe('campaign run --apply-history (local)', () => {
  it('requests the suggestions; a node with too few samples keeps its request and says so', () => {
    rig.write('a.toml', CAMPAIGN(1));
    writeHistory(rig, 'a');
    const r = rig.run(['run', 'a.toml', '--ui', 'plain', '--apply-history']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'history: sim (4 samples): memory 2458M (was 4G), runtime 1h (was 2h)\n' +
        'history: tiny (1 sample): memory as declared (too few samples), runtime as declared (too few samples)\n',
    );
    const s = JSON.parse(rig.run(['status', 'a.toml', '--json']).stdout) as {
      tasks: { id: string; attempts: Attempt[] }[];
    };
    const req = (id: string) => s.tasks.find((t) => t.id === id)!.attempts.at(-1)!.requested;
    expect(req('sim[4]')).toEqual({
      cores: 1,
      memory_bytes: 2458 * 1024 * 1024,
      runtime_s: 3600,
      limit_s: 7200,
    });
    expect(req('tiny')).toEqual({
      cores: 1,
      memory_bytes: 1024 * 1024 * 1024,
      runtime_s: 600,
      limit_s: 1200,
    });
  }, 300_000);

  it('history = "apply" in the file does the same; without it the declared request stands', () => {
    rig.write('f.toml', CAMPAIGN(1, 'local', 'history = "apply"'));
    writeHistory(rig, 'f');
    const r = rig.run(['run', 'f.toml', '--ui', 'plain', '--only', 'sim']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('history: sim (4 samples): memory 2458M (was 4G), runtime 1h (was 2h)\n');
    rig.write('n.toml', CAMPAIGN(1));
    writeHistory(rig, 'n');
    const plain = rig.run(['run', 'n.toml', '--ui', 'plain', '--only', 'sim']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    const s = JSON.parse(rig.run(['status', 'n.toml', '--json']).stdout) as {
      tasks: { id: string; attempts: Attempt[] }[];
    };
    expect(s.tasks.find((t) => t.id === 'sim[4]')!.attempts.at(-1)!.requested.memory_bytes).toBe(
      4 * 1024 ** 3,
    );
  }, 300_000);
});

describe('run consumes the planner', () => {
  it('the request is the estimate plus headroom', () => {
    rig.write(
      'hr.toml',
      '[campaign]\nname = "hr"\n[campaign.hog]\ncommand = "true"\nheadroom = { memory = "50%", runtime = "100%" }\nresources = { memory = "100M", runtime = "1m" }\n',
    );
    const r = rig.run(['run', 'hr.toml', '--ui', 'plain']);
    expect(r.code).toBe(0);
    const s = JSON.parse(rig.run(['status', 'hr.toml', '--json']).stdout) as {
      tasks: { id: string; attempts: Attempt[] }[];
    };
    expect(s.tasks[0]!.attempts[0]!.requested).toEqual({
      cores: 1,
      memory_bytes: 150 * 1024 * 1024,
      runtime_s: 120,
      limit_s: 240,
    });
  }, 300_000);

  it('a missed deadline stops the run before anything starts (exit 2)', () => {
    rig.write(
      'late.toml',
      '[campaign]\nname = "late"\n[campaign.resources]\nnodes = 1\ncores_per_node = 1\ndeadline = "1h"\n[campaign.a]\ncommand = "touch ran-a"\nresources = { runtime = "2h" }\n',
    );
    const r = rig.run(['run', 'late.toml', '--ui', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'late.toml:6:12: error: the makespan 2h misses the deadline 1h by 1h; critical path a (2h), ends last a [deadline-missed]\n' +
        '  6 | deadline = "1h"\n' +
        '    |            ^^^^\n' +
        '  help: the longest chain of dependencies alone takes 2h: no number of nodes meets the deadline\n' +
        '\n' +
        '1 error\n',
    );
    expect(rig.run(['status', 'late.toml', '--json']).stdout).not.toContain('"succeeded": 1');
  }, 300_000);
});
