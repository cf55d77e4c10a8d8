import { afterAll, describe, expect, it } from 'vitest';
import { Rig } from '../rig.js';

const rig = new Rig('campaign-cluster-');
afterAll(() => rig.cleanup());

const SITE = `[cluster]
name = "site"
scheduler = "slurm"

[[cluster.partitions]]
name = "debug"
nodes = 2
cores_per_node = 8
memory_per_node = "16G"
max_walltime = "1h"

[[cluster.partitions]]
name = "regular"
nodes = 10
cores_per_node = 32
memory_per_node = "128G"
max_walltime = "2d"
per_user = { max_jobs = 50, max_cores = 64 }
`;

const nodes = `
[campaign.small]
command = "true"
resources = { cores = 2, memory = "1G", runtime = "20m" }

[campaign.long]
command = "true"
resources = { cores = 4, memory = "8G", runtime = "2h" }
`;

const campaign = (cluster: string, extra = '') =>
  `[campaign]\nname = "c"\n${cluster}\n[campaign.scheduler]\ntype = "slurm"\n${nodes}${extra}`;

const TABLE = `partitions on site (slurm): debug, regular
  node   partition  cores  memory  walltime
  small  debug          2  1G      40m
  long   regular        4  8G      4h
`;

describe('the cluster description', () => {
  it('a shared cluster file: plan shows the partition each node goes to', () => {
    rig.write('clusters/site.toml', SITE);
    rig.write('shared.toml', campaign('cluster = "clusters/site.toml"'));
    const r = rig.run(['plan', 'shared.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\n\n${TABLE}`);
    expect(r.stdout.endsWith(TABLE)).toBe(true);
  });

  it('[campaign.cluster] in the file, the same choice; --json names each partition', () => {
    const inline = SITE.replaceAll('[cluster]', '[campaign.cluster]').replaceAll(
      '[[cluster.',
      '[[campaign.cluster.',
    );
    rig.write(
      'inline.toml',
      `[campaign]\nname = "c"\n[campaign.scheduler]\ntype = "slurm"\n${nodes}\n${inline}`,
    );
    const r = rig.run(['plan', 'inline.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith(TABLE)).toBe(true);
    const j = rig.run(['plan', 'inline.toml', '--json']);
    expect(JSON.parse(j.stdout).partitions).toEqual({ small: 'debug', long: 'regular' });
  });

  it('a named partition is kept when the node fits it', () => {
    rig.write('clusters/site.toml', SITE);
    rig.write(
      'named.toml',
      campaign(
        'cluster = "clusters/site.toml"',
        '\n[campaign.pinned]\ncommand = "true"\nscheduler = { partition = "regular" }\n',
      ),
    );
    const r = rig.run(['plan', 'named.toml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  pinned  regular (named)      1  -       -\n');
  });

  it('a node that fits no partition: at its request, which limit of which partition', () => {
    rig.write('clusters/site.toml', SITE);
    rig.write(
      'big.toml',
      campaign(
        'cluster = "clusters/site.toml"',
        '\n[campaign.big]\ncommand = "true"\nresources = { cores = 16, memory = "200G", runtime = "1h" }\n',
      ),
    );
    const r = rig.run(['plan', 'big.toml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('  big    -             16  200G    2h\n');
    expect(r.stderr).toBe(
      'big.toml:17:36: error: `big` fits no partition of the cluster [fits-no-partition]\n' +
        '  17 | resources = { cores = 16, memory = "200G", runtime = "1h" }\n' +
        '     |                                    ^^^^^^\n' +
        '  note: clusters/site.toml:8:18: debug: cores per node 16 > 8; memory per node 200G > 16G; walltime 2h > 1h\n' +
        '    8 | cores_per_node = 8\n' +
        '      |                  ^\n' +
        '  note: clusters/site.toml:16:19: regular: memory per node 200G > 128G\n' +
        '    16 | memory_per_node = "128G"\n' +
        '       |                   ^^^^^^\n' +
        '  help: ask for less, or add a partition that has room for it to the cluster\n' +
        '\n' +
        '1 error\n',
    );
    // validate reports it the same way, and no OK line.
    const v = rig.run(['validate', 'big.toml']);
    expect(v.code).toBe(2);
    expect(v.stdout).toBe('');
    expect(v.stderr).toBe(r.stderr);
  });

  it('a named partition it does not fit', () => {
    rig.write('clusters/site.toml', SITE);
    rig.write(
      'tight.toml',
      campaign(
        'cluster = "clusters/site.toml"',
        '\n[campaign.tight]\ncommand = "true"\nresources = { cores = 4, runtime = "1h" }\nscheduler = { partition = "debug" }\n',
      ),
    );
    const r = rig.run(['plan', 'tight.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'tight.toml:17:36: error: `tight` does not fit the partition it names, `debug` [fits-no-partition]\n' +
        '  17 | resources = { cores = 4, runtime = "1h" }\n' +
        '     |                                    ^^^^\n' +
        '  note: clusters/site.toml:10:16: debug: walltime 2h > 1h\n' +
        '    10 | max_walltime = "1h"\n' +
        '       |                ^^^^\n' +
        '  help: ask for less, or name another partition\n' +
        '\n' +
        '1 error\n',
    );
  });

  it('an unknown partition, with the nearest name', () => {
    rig.write('clusters/site.toml', SITE);
    rig.write(
      'unknown.toml',
      campaign(
        'cluster = "clusters/site.toml"',
        '\n[campaign.named]\ncommand = "true"\nscheduler = { partition = "regullar" }\n',
      ),
    );
    const r = rig.run(['plan', 'unknown.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'unknown.toml:17:27: error: the cluster has no partition `regullar` (it has debug, regular) [unknown-partition]\n' +
        '  17 | scheduler = { partition = "regullar" }\n' +
        '     |                           ^^^^^^^^^^\n' +
        '  help: did you mean `regular`?\n' +
        '\n' +
        '1 error\n',
    );
  });

  it('a cluster file that does not parse: the syntax error in that file', () => {
    rig.write('clusters/broken.toml', '[cluster]\nname = "site\n');
    rig.write('broken.toml', campaign('cluster = "clusters/broken.toml"'));
    const r = rig.run(['plan', 'broken.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^clusters\/broken\.toml:2:\d+: error: TOML syntax error: .* \[toml-syntax\]\n {2}2 \| name = "site\n/,
    );
  });

  it('a cluster file with a bad value: at its key in that file', () => {
    rig.write('clusters/bad.toml', SITE.replace('memory_per_node = "16G"', 'memory_per_node = "16"'));
    rig.write('bad.toml', campaign('cluster = "clusters/bad.toml"'));
    const r = rig.run(['plan', 'bad.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'clusters/bad.toml:9:19: error: `memory_per_node` must be a memory size with a unit ("256G"), not "16" [bad-cluster]\n' +
        '  9 | memory_per_node = "16"\n' +
        '    |                   ^^^^\n' +
        '\n' +
        '1 error\n',
    );
  });

  it("a cluster file that does not exist: at the campaign file's `cluster`", () => {
    rig.write('missing.toml', campaign('cluster = "clusters/nope.toml"'));
    const r = rig.run(['plan', 'missing.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'missing.toml:3:11: error: cannot read the cluster file clusters/nope.toml: no such file [bad-cluster]\n' +
        '  3 | cluster = "clusters/nope.toml"\n' +
        '    |           ^^^^^^^^^^^^^^^^^^^^\n' +
        '\n' +
        '1 error\n',
    );
  });

  it('an inline cluster with an unknown key: at the key, with the nearest one', () => {
    rig.write(
      'typo.toml',
      `[campaign]\nname = "c"\n[campaign.scheduler]\ntype = "slurm"\n${nodes}\n[[campaign.cluster.partitions]]\nname = "p"\nnodes = 1\ncores_per_node = 4\nmemory_per_node = "8G"\nmax_walltim = "1h"\n`,
    );
    const r = rig.run(['plan', 'typo.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'typo.toml:19:1: error: unknown key `max_walltim` in a partition [unknown-key]\n' +
        '  19 | max_walltim = "1h"\n' +
        '     | ^^^^^^^^^^^\n' +
        '  help: did you mean `max_walltime`?\n' +
        '\n' +
        '1 error\n',
    );
  });
});
