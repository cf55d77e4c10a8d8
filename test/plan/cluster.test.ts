import TOML from '@iarna/toml';
import { describe, expect, it } from 'vitest';
import { type Cluster, clusterToToml, parseCluster } from '../../src/plan/cluster.js';
import { choosePartition, partitionBudget } from '../../src/plan/partition.js';

const at = ['campaign', 'cluster'];

const SITE = {
  name: 'site',
  scheduler: 'slurm',
  partitions: [
    {
      name: 'debug',
      nodes: 2,
      cores_per_node: 64,
      memory_per_node: '250G',
      max_walltime: '30m',
      max_nodes: 1,
    },
    {
      name: 'regular',
      nodes: 100,
      cores_per_node: 64,
      memory_per_node: '250G',
      max_walltime: '2d',
      per_user: { max_jobs: 50, max_cores: 1024 },
    },
    {
      name: 'gpu',
      nodes: 8,
      cores_per_node: 32,
      memory_per_node: '500G',
      gpus_per_node: 4,
      max_walltime: '12h',
    },
  ],
};

const site = (): Cluster => {
  const r = parseCluster(SITE, at);
  if (!r.ok) throw new Error('fixture does not parse');
  return r.value;
};

describe('parseCluster', () => {
  it('reads partitions in order, with units and per-user limits', () => {
    expect(site()).toEqual({
      name: 'site',
      scheduler: 'slurm',
      partitions: [
        {
          name: 'debug',
          nodes: 2,
          coresPerNode: 64,
          memoryPerNode: 256000,
          gpusPerNode: 0,
          maxWalltime: 1800,
          maxNodes: 1,
        },
        {
          name: 'regular',
          nodes: 100,
          coresPerNode: 64,
          memoryPerNode: 256000,
          gpusPerNode: 0,
          maxWalltime: 172800,
          perUser: { maxJobs: 50, maxCores: 1024 },
        },
        {
          name: 'gpu',
          nodes: 8,
          coresPerNode: 32,
          memoryPerNode: 512000,
          gpusPerNode: 4,
          maxWalltime: 43200,
        },
      ],
    });
  });

  it('reads Grid Engine queues, and "unlimited" walltime', () => {
    const r = parseCluster(
      {
        queues: [
          { name: 'all.q', nodes: 1, cores_per_node: 2, memory_per_node: '23G', max_walltime: 'INFINITY' },
        ],
      },
      at,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        scheduler: 'sge',
        partitions: [{ name: 'all.q', nodes: 1, coresPerNode: 2, memoryPerNode: 23552, gpusPerNode: 0 }],
      },
    });
  });

  it('reports every problem with its key path', () => {
    const r = parseCluster(
      {
        scheduler: 'pbs',
        partitions: [
          { name: 'a', nodes: 0, cores_per_node: 4, memory_per_node: '16' },
          {
            name: 'b',
            cores_per_node: 4,
            memory_per_node: '16G',
            max_walltim: '1h',
            per_user: { max_job: 1 },
          },
          { name: 'a', nodes: 1, cores_per_node: 4, memory_per_node: '16G', max_walltime: 'soon' },
        ],
      },
      at,
    );
    expect(r.ok ? [] : r.errors.map((e) => [e.where?.path.join('.'), e.message, e.suggestion])).toEqual([
      ['campaign.cluster.scheduler', '`scheduler` must be "slurm" or "sge", not "pbs"', undefined],
      [
        'campaign.cluster.partitions.0.nodes',
        '`nodes` must be a whole number of at least 1, not 0',
        undefined,
      ],
      [
        'campaign.cluster.partitions.0.memory_per_node',
        '`memory_per_node` must be a memory size with a unit ("256G"), not "16"',
        undefined,
      ],
      [
        'campaign.cluster.partitions.1.max_walltim',
        'unknown key `max_walltim` in a partition',
        'did you mean `max_walltime`?',
      ],
      ['campaign.cluster.partitions.1', 'a partition needs `nodes`', undefined],
      [
        'campaign.cluster.partitions.1.per_user.max_job',
        'unknown key `max_job` in per_user',
        'did you mean `max_jobs`?',
      ],
      [
        'campaign.cluster.partitions.2.max_walltime',
        '`max_walltime` must be a duration ("2d", "48:00:00") or "unlimited", not "soon"',
        undefined,
      ],
    ]);
    expect(parseCluster({ partitions: [] }, at)).toMatchObject({ ok: false });
  });

  it('writes TOML that reads back to the same cluster', () => {
    const text = clusterToToml(site());
    expect(text).toBe(`[cluster]
name = "site"
scheduler = "slurm"

[[cluster.partitions]]
name = "debug"
nodes = 2
cores_per_node = 64
memory_per_node = "250G"
gpus_per_node = 0
max_walltime = "30m"
max_nodes = 1

[[cluster.partitions]]
name = "regular"
nodes = 100
cores_per_node = 64
memory_per_node = "250G"
gpus_per_node = 0
max_walltime = "2d"
per_user = { max_jobs = 50, max_cores = 1024 }

[[cluster.partitions]]
name = "gpu"
nodes = 8
cores_per_node = 32
memory_per_node = "500G"
gpus_per_node = 4
max_walltime = "12h"
`);
    const back = parseCluster((TOML.parse(text) as { cluster: unknown }).cluster, ['cluster']);
    expect(back).toEqual({ ok: true, value: site() });
    const inCampaign = TOML.parse(clusterToToml(site(), 'campaign.cluster')) as {
      campaign: { cluster: unknown };
    };
    expect(parseCluster(inCampaign.campaign.cluster, at)).toEqual({ ok: true, value: site() });
  });
});

describe('choosePartition', () => {
  it('takes the first partition that fits', () => {
    const small = choosePartition(site(), { cores: 8, memory: 16 * 1024, gpus: 0, nodes: 1, runtime: 600 });
    expect(small).toMatchObject({ ok: true, partition: { name: 'debug' }, named: false });
    const long = choosePartition(site(), { cores: 8, memory: 16 * 1024, gpus: 0, nodes: 1, runtime: 7200 });
    expect(long).toMatchObject({ ok: true, partition: { name: 'regular' } });
    const gpu = choosePartition(site(), { cores: 16, memory: 300 * 1024, gpus: 2, nodes: 1, runtime: 7200 });
    expect(gpu).toMatchObject({ ok: true, partition: { name: 'gpu' } });
    // 128 cores over 2 nodes is 64 per node; debug allows one node per job.
    const two = choosePartition(site(), { cores: 128, gpus: 0, nodes: 2, runtime: 600 });
    expect(two).toMatchObject({ ok: true, partition: { name: 'regular' } });
  });

  it('keeps a named partition once it fits, and says which limit it exceeds when not', () => {
    expect(choosePartition(site(), { cores: 1, gpus: 0, nodes: 1, runtime: 7200 }, 'regular')).toMatchObject({
      ok: true,
      partition: { name: 'regular' },
      named: true,
    });
    expect(choosePartition(site(), { cores: 1, gpus: 0, nodes: 1, runtime: 7200 }, 'debug')).toEqual({
      ok: false,
      reason: 'does-not-fit',
      misfits: [
        {
          partition: 'debug',
          exceeded: [{ limit: 'walltime', requested: 7200, available: 1800 }],
          line: 'debug: walltime 2h > 30m',
        },
      ],
      message: 'does not fit partition debug: walltime 2h > 30m',
    });
    expect(choosePartition(site(), { cores: 1, gpus: 0, nodes: 1 }, 'debgu')).toEqual({
      ok: false,
      reason: 'unknown-partition',
      name: 'debgu',
      suggestion: 'did you mean `debug`?',
      message: 'the cluster has no partition `debgu` (it has debug, regular, gpu)',
    });
  });

  it('fits nowhere: one line per partition with every limit exceeded', () => {
    const r = choosePartition(site(), {
      cores: 2048,
      memory: 2 * 1024 * 1024,
      gpus: 8,
      nodes: 1,
      runtime: 3 * 86400,
    });
    expect(r.ok ? '' : r.message).toBe(
      [
        'fits no partition:',
        '  debug: cores per node 2048 > 64; memory per node 2T > 250G; GPUs per node 8 > 0; walltime 3d > 30m',
        '  regular: cores per node 2048 > 64; memory per node 2T > 250G; GPUs per node 8 > 0; walltime 3d > 2d; cores per user 2048 > 1024',
        '  gpu: cores per node 2048 > 32; memory per node 2T > 500G; GPUs per node 8 > 4; walltime 3d > 12h',
      ].join('\n'),
    );
    expect(r).toMatchObject({ reason: 'fits-nowhere' });
  });

  it('a partition is a schedule budget, its per-user limits caps on the whole', () => {
    const regular = site().partitions[1]!;
    expect(partitionBudget(regular, 4)).toEqual({
      nodes: 4,
      coresPerNode: 64,
      memoryPerNode: 256000,
      gpusPerNode: 0,
      maxTasks: 50,
      maxCores: 1024,
    });
  });
});
