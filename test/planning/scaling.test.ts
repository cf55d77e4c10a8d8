import { truncateSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';

const rig = new Rig('campaign-scaling-');
afterAll(() => rig.cleanup());

const GIB = 1024 ** 3;
const MIB = 1024 * 1024;

/** An input file of `bytes` bytes (sparse: nothing is written). */
function input(name: string, bytes: number): void {
  rig.write(name, '');
  truncateSync(rig.path(name), bytes);
}

const SCALED = `[campaign]
name = "s"

[campaign.sim]
command = "true"
matrix = { basin = ["a", "b", "c"] }
inputs = ["data/{basin}.nc"]
headroom = { memory = "50%" }
resources = { memory = { base = "2G", per_item = "50M" }, runtime = { base = "5m", per_input_gib = "10m" } }
`;

describe('declared scalings and inputs in the campaign file', () => {
  it('plan: estimate, headroom and request of each scaled node, the scaling, missing inputs said', () => {
    rig.write('s.toml', SCALED);
    input('data/a.nc', 2 * GIB);
    input('data/b.nc', GIB / 2);
    const r = rig.run(['plan', 's.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout.slice(r.stdout.indexOf('sizing'))).toBe(
      'sizing (estimate + headroom = request)\n' +
        '  node  memory                  runtime\n' +
        '  sim   2098M +50% = 3147M      5m-25m +0% = 5m-25m\n' +
        'scalings\n' +
        '  sim: memory = 2G + 50M × items, runtime = 5m + 10m × input GiB\n',
    );
    expect(r.stderr).toBe('note: sim: 1 input not found, counted as 0 bytes: data/c.nc\n');
  });

  it('plan --json carries the estimate, headroom, request, their range and the scaling', () => {
    const r = rig.run(['plan', 's.toml', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { sizing: unknown; notes: unknown };
    expect(doc.sizing).toEqual([
      {
        node: 'sim',
        memory_bytes: {
          estimate: 2098 * MIB,
          headroom_percent: 50,
          request: 3147 * MIB,
          source: 'scaling',
          estimate_range: [2098 * MIB, 2098 * MIB],
          request_range: [3147 * MIB, 3147 * MIB],
          scaling: { base: 2048 * MIB, per_item: 50 * MIB, per_input_gib: 0 },
        },
        runtime_s: {
          estimate: 1500,
          headroom_percent: 0,
          request: 1500,
          source: 'scaling',
          estimate_range: [300, 1500],
          request_range: [300, 1500],
          scaling: { base: 300, per_item: 0, per_input_gib: 600 },
        },
      },
    ]);
    expect(doc.notes).toEqual(['sim: 1 input not found, counted as 0 bytes: data/c.nc']);
  });

  it('run requests each task its own scaled runtime (limit twice that)', () => {
    const r = rig.run(['run', 's.toml', '--ui', 'plain']);
    expect(r.code).toBe(0);
    const s = JSON.parse(rig.run(['status', 's.toml', '--json']).stdout) as {
      tasks: { id: string; attempts: { requested: Record<string, number> }[] }[];
    };
    const req = (id: string) => s.tasks.find((t) => t.id === id)!.attempts[0]!.requested;
    expect(req('sim[a]')).toEqual({ cores: 1, memory_bytes: 3147 * MIB, runtime_s: 1500, limit_s: 3000 });
    expect(req('sim[b]')).toEqual({ cores: 1, memory_bytes: 3147 * MIB, runtime_s: 600, limit_s: 1200 });
    expect(req('sim[c]')).toEqual({ cores: 1, memory_bytes: 3147 * MIB, runtime_s: 300, limit_s: 600 });
  }, 300_000);

  it('an unknown scaling key is an error at it with the nearest key; a value without a unit is bad-scaling', () => {
    rig.write(
      'bad.toml',
      '[campaign]\nname = "b"\n[campaign.x]\ncommand = "true"\nresources = { memory = { base = "1G", per_items = "50M" }, runtime = { per_item = "30" } }\n',
    );
    const r = rig.run(['validate', 'bad.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'bad.toml:5:39: error: unknown key `per_items` in the scaling of memory [unknown-key]\n' +
        '  5 | resources = { memory = { base = "1G", per_items = "50M" }, runtime = { per_item = "30" } }\n' +
        '    |                                       ^^^^^^^^^\n' +
        '  help: did you mean `per_item`?\n\n' +
        'bad.toml:5:83: error: `per_item` must be a duration with a unit ("10m"), not "30" [bad-scaling]\n' +
        '  5 | resources = { memory = { base = "1G", per_items = "50M" }, runtime = { per_item = "30" } }\n' +
        '    |                                                                                   ^^^^\n\n' +
        '2 errors\n',
    );
  });

  it('a bare number in resources still asks for a unit; the budget stays a plain size', () => {
    rig.write(
      'num.toml',
      '[campaign]\nname = "n"\n[campaign.resources]\nmemory_per_node = { base = "1G" }\n[campaign.x]\ncommand = "true"\nresources = { memory = 512 }\n',
    );
    const r = rig.run(['validate', 'num.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'num.toml:4:19: error: `memory_per_node` must be a string, not a table [wrong-type]\n',
    );
    expect(r.stderr).toContain(
      'num.toml:7:24: error: `memory` must be a memory size with a unit, not the bare number 512 [bad-unit]\n' +
        '  7 | resources = { memory = 512 }\n' +
        '    |                        ^^^\n' +
        '  help: write it with a unit, such as "512M" or "512G"\n',
    );
  });
});

describe('--apply-history with a scaling per input GiB', () => {
  it('fits the amount per GiB above the declared base and requests each task its own', () => {
    rig.write(
      'g.toml',
      `[campaign]
name = "g"

[campaign.sim]
command = "true"
matrix = { i = "0..3" }
inputs = ["in/{i}.bin"]
resources = { memory = { base = "100M", per_input_gib = "1G" }, runtime = { base = "1m", per_input_gib = "10m" } }
`,
    );
    for (let i = 0; i < 4; i++) input(`in/${i}.bin`, i * GIB);
    const run = '20261101_000000_run001';
    const ok = (id: string, mib: number, s: number) =>
      JSON.stringify({ k: 'ok', t: 2, id, a: 1, h: 'x', n: 1, x: 0, w: s * 1000, m: mib * 1024 });
    rig.write(
      `.campaign/g/runs/${run}/journal.jsonl`,
      `${[
        JSON.stringify({
          k: 'run',
          t: 1,
          run,
          pid: 1,
          host: 'vm',
          file: '',
          campaign: 'g',
          scheduler: 'local',
          tasks: 4,
        }),
        // (peak - 100M) / GiB: 500M, 450M, 600M; (wall - 60 s) / GiB: 240 s, 240 s, 300 s.
        ok('sim[1]', 600, 300),
        ok('sim[2]', 1000, 540),
        ok('sim[3]', 1900, 960),
        JSON.stringify({ k: 'end', t: 4, status: 'succeeded', counts: {} }),
      ].join('\n')}\n`,
    );
    const r = rig.run(['run', 'g.toml', '--ui', 'plain', '--apply-history']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'history: sim (3 samples): memory 100M + 600M × input GiB +20% (was 100M), runtime 1m + 5m × input GiB +20% (was 1m)\n',
    );
    const s = JSON.parse(rig.run(['status', 'g.toml', '--json']).stdout) as {
      tasks: { id: string; attempts: { requested: Record<string, number> }[] }[];
    };
    const req = (i: number) => s.tasks.find((t) => t.id === `sim[${i}]`)!.attempts.at(-1)!.requested;
    // memory ⌈(100 + 600 g) × 1.2⌉ MiB; runtime (60 + 300 g) × 1.2 s rounded up to the minute.
    expect([0, 1, 2, 3].map((i) => [req(i).memory_bytes! / MIB, req(i).runtime_s])).toEqual([
      [120, 120],
      [840, 480],
      [1560, 840],
      [2280, 1200],
    ]);
  }, 300_000);
});
