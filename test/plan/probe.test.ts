import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import TOML from '@iarna/toml';
import { describe, expect, it } from 'vitest';
import { clusterToToml, parseCluster } from '../../src/plan/cluster.js';
import { choosePartition } from '../../src/plan/partition.js';
import { parseSge, sgeMemory, sgeTime } from '../../src/plan/probe-sge.js';
import { gpusOf, parseSlurm, slurmTime } from '../../src/plan/probe-slurm.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('parseSlurm (captured from the local Slurm 22.05)', () => {
  it('reads the one-node debug partition', () => {
    const r = parseSlurm(fixture('slurm-scontrol-partition.txt'), fixture('slurm-sinfo.txt'), 'local');
    expect(r).toEqual({
      cluster: {
        name: 'local',
        scheduler: 'slurm',
        partitions: [{ name: 'debug', nodes: 1, coresPerNode: 2, memoryPerNode: 22900, gpusPerNode: 0 }],
      },
      notes: [],
    });
  });

  it('without sinfo, takes per-node sizes from the partition totals', () => {
    expect(parseSlurm(fixture('slurm-scontrol-partition.txt')).cluster.partitions).toEqual([
      { name: 'debug', nodes: 1, coresPerNode: 2, memoryPerNode: 22900, gpusPerNode: 0 },
    ]);
  });

  it('reads several partitions: limits, GPUs, mixed nodes, the default first, DOWN left out', () => {
    const r = parseSlurm(fixture('slurm-multi-scontrol-partition.txt'), fixture('slurm-multi-sinfo.txt'));
    expect(r.cluster.partitions).toEqual([
      {
        name: 'regular',
        nodes: 4,
        coresPerNode: 64,
        memoryPerNode: 257000,
        gpusPerNode: 0,
        maxWalltime: 172800,
      },
      {
        name: 'debug',
        nodes: 2,
        coresPerNode: 64,
        memoryPerNode: 257000,
        gpusPerNode: 0,
        maxWalltime: 1800,
        maxNodes: 1,
      },
      // MaxMemPerNode caps the nodes' 1031000M.
      {
        name: 'bigmem',
        nodes: 2,
        coresPerNode: 128,
        memoryPerNode: 1000000,
        gpusPerNode: 0,
        maxWalltime: 86400,
      },
      // MaxCPUsPerNode caps the nodes' 32 CPUs.
      { name: 'gpu', nodes: 2, coresPerNode: 24, memoryPerNode: 515000, gpusPerNode: 4, maxWalltime: 43200 },
      // sinfo folds cpu001 (64, 257000) and big01 (128, 1031000) into "64+", "257000+".
      { name: 'mixed', nodes: 2, coresPerNode: 64, memoryPerNode: 257000, gpusPerNode: 0 },
    ]);
    expect(r.notes).toEqual(['partition maint is DOWN: left out']);
    // What the probe writes is a cluster file that reads back as it was.
    const back = parseCluster((TOML.parse(clusterToToml(r.cluster)) as { cluster: unknown }).cluster, [
      'cluster',
    ]);
    expect(back).toEqual({ ok: true, value: r.cluster });
    expect(
      choosePartition(r.cluster, { cores: 16, memory: 600 * 1024, gpus: 0, nodes: 1, runtime: 3600 }),
    ).toMatchObject({ ok: true, partition: { name: 'bigmem' } });
  });

  it('reads Slurm times and GRES strings', () => {
    expect(slurmTime('UNLIMITED')).toBeUndefined();
    expect(slurmTime('infinite')).toBeUndefined();
    expect(slurmTime('30')).toBe(1800);
    expect(slurmTime('30:00')).toBe(1800);
    expect(slurmTime('00:30:00')).toBe(1800);
    expect(slurmTime('2-00:00:00')).toBe(172800);
    expect(slurmTime('1-12')).toBe(129600);
    expect(gpusOf('(null)')).toBe(0);
    expect(gpusOf('gpu:4')).toBe(4);
    expect(gpusOf('gpu:a100:4(S:0-1)')).toBe(4);
    expect(gpusOf('gpu:a100:2(S:0),gpu:v100:2(S:1),mps:200')).toBe(4);
  });
});

describe('parseSge (captured from the local Grid Engine 8.1.9)', () => {
  it('reads all.q on host vm', () => {
    const r = parseSge({
      queueList: fixture('sge-qconf-sql.txt'),
      queues: { 'all.q': fixture('sge-qconf-sq-all.q.txt') },
      hosts: { vm: fixture('sge-qconf-se-vm.txt') },
    });
    expect(r).toEqual({
      cluster: {
        scheduler: 'sge',
        partitions: [{ name: 'all.q', nodes: 1, coresPerNode: 2, memoryPerNode: 24105, gpusPerNode: 0 }],
      },
      notes: [],
    });
  });

  it('reads several queues: host groups, per-host slots, h_rt, h_vmem, GPUs, seq_no order', () => {
    const m = (name: string) => fixture(`sge-multi-${name}.txt`);
    const r = parseSge({
      queueList: m('qconf-sql'),
      queues: {
        'all.q': m('qconf-sq-all.q'),
        'short.q': m('qconf-sq-short.q'),
        'gpu.q': m('qconf-sq-gpu.q'),
      },
      hosts: Object.fromEntries(
        ['node01', 'node02', 'node03', 'gpu01', 'gpu02'].map((h) => [h, m(`qconf-se-${h}`)]),
      ),
      hostGroups: { '@compute': m('qconf-shgrp-compute') },
    });
    expect(r.cluster.partitions).toEqual([
      // node03 has 8 slots; the queue's h_vmem (64G) is below the hosts' memory.
      { name: 'short.q', nodes: 3, coresPerNode: 8, memoryPerNode: 65536, gpusPerNode: 0, maxWalltime: 3600 },
      {
        name: 'gpu.q',
        nodes: 2,
        coresPerNode: 32,
        memoryPerNode: 515833,
        gpusPerNode: 4,
        maxWalltime: 172800,
      },
      { name: 'all.q', nodes: 4, coresPerNode: 16, memoryPerNode: 128837, gpusPerNode: 0 },
    ]);
    expect(r.notes).toEqual([]);
  });

  it('says what it could not see', () => {
    const r = parseSge({
      queueList: 'all.q\nother.q\n',
      queues: { 'all.q': fixture('sge-qconf-sq-all.q.txt') },
      hosts: {},
    });
    expect(r.cluster.partitions).toEqual([]);
    expect(r.notes).toEqual([
      'host vm of queue all.q: no qconf -se output, its memory is not known',
      'queue all.q: the memory of its hosts is not known, left out',
      'queue other.q: no qconf -sq output, left out',
    ]);
  });

  it('reads Grid Engine memory and time values', () => {
    expect(sgeMemory('24105.027344M')).toBe(24105);
    expect(sgeMemory('23.540G')).toBe(24104);
    expect(sgeMemory('4g')).toBe(3814);
    expect(sgeMemory('INFINITY')).toBeUndefined();
    expect(sgeTime('INFINITY')).toBeUndefined();
    expect(sgeTime('3600')).toBe(3600);
    expect(sgeTime('01:00:00')).toBe(3600);
  });
});
