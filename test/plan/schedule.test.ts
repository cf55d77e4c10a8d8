import { describe, expect, it } from 'vitest';
import { Dag } from '../../src/model/dag.js';
import { type ScheduleBudget, type ScheduleTasks, schedule } from '../../src/plan/schedule.js';
import { EXAMPLE, G, H, placements, tasksOf } from './helpers.js';

const node = (coresPerNode: number, memoryPerNode: number, gpusPerNode = 0, nodes = 1): ScheduleBudget => ({
  nodes,
  coresPerNode,
  memoryPerNode,
  gpusPerNode,
});

describe('schedule', () => {
  it('the example of docs/planning.md: 1 node x 4 cores x 16G, makespan 4h30m', () => {
    const { tasks, names } = EXAMPLE;
    const s = schedule(tasks, node(4, 16 * G));
    expect(placements(s, names)).toEqual({
      a: '0s-1h n0',
      b: '1h-3h n0',
      c: '1h-2h n0',
      e: '2h-3h n0',
      f: '3h-4h n0',
      d: '4h-4h30m n0',
    });
    expect(s.makespan).toBe(4.5 * H);
    expect(s.peakConcurrency).toBe(2);
    expect(s.peakCores).toBe(4);
    expect(s.coreHours).toBe(4 + 4 + 2 + 2 + 1 + 1);
    expect(s.gpuHours).toBe(0);
    expect([...s.criticalPath.tasks].map((v) => names[v])).toEqual(['a', 'b', 'd']);
    expect(s.criticalPath.seconds).toBe(3.5 * H);
    expect(s.chain.map((l) => [names[l.task], l.waited, l.after >= 0 ? names[l.after] : null])).toEqual([
      ['a', 'start', null],
      ['c', 'dependency', 'a'],
      ['e', 'resources', 'c'],
      ['f', 'resources', 'e'],
      ['d', 'resources', 'f'],
    ]);
    expect(s.unfit).toEqual([]);
    expect(s.scheduled).toBe(6);
  });

  it('the example on 2 nodes: makespan 3h30m', () => {
    const { tasks, names } = EXAMPLE;
    const s = schedule(tasks, node(4, 16 * G, 0, 2));
    expect(placements(s, names)).toEqual({
      a: '0s-1h n0',
      e: '0s-1h n1',
      b: '1h-3h n0',
      c: '1h-2h n0',
      f: '1h-2h n1',
      d: '3h-3h30m n0',
    });
    expect(s.makespan).toBe(3.5 * H);
    expect(s.peakConcurrency).toBe(3);
  });

  it('parallel chains on one core run one after the other, longest remaining path first', () => {
    const { tasks, names } = tasksOf({
      x1: { runtime: '1h' },
      x2: { runtime: '2h', after: ['x1'] },
      y1: { runtime: '1h' },
      y2: { runtime: '1h', after: ['y1'] },
    });
    // x1 (3h to go) before y1 (2h); then x2 and y1 tie at 2h: the lower task number goes first.
    expect(placements(schedule(tasks, node(1, G)), names)).toEqual({
      x1: '0s-1h n0',
      x2: '1h-3h n0',
      y1: '3h-4h n0',
      y2: '4h-5h n0',
    });
    const two = schedule(tasks, node(2, G));
    expect(placements(two, names)).toEqual({
      x1: '0s-1h n0',
      y1: '0s-1h n0',
      x2: '1h-3h n0',
      y2: '1h-2h n0',
    });
    expect(two.makespan).toBe(3 * H);
    expect(two.peakConcurrency).toBe(2);
  });

  it('a diamond beside a long independent task, on 2 cores', () => {
    const { tasks, names } = tasksOf({
      s: { runtime: '1h' },
      l: { runtime: '2h', after: ['s'] },
      r: { runtime: '1h', after: ['s'] },
      t: { runtime: '1h', after: ['l', 'r'] },
      z: { runtime: '3h' },
    });
    const sch = schedule(tasks, node(2, G));
    // s (4h to go) and z (3h) start; at 1h l (3h to go) takes the free core and r waits for z.
    expect(placements(sch, names)).toEqual({
      s: '0s-1h n0',
      z: '0s-3h n0',
      l: '1h-3h n0',
      r: '3h-4h n0',
      t: '4h-5h n0',
    });
    expect(sch.makespan).toBe(5 * H);
    expect(sch.chain.map((x) => `${names[x.task]}:${x.waited}`)).toEqual([
      'z:start',
      'r:resources',
      't:dependency',
    ]);
    expect([...sch.criticalPath.tasks].map((v) => names[v])).toEqual(['s', 'l', 't']);
  });

  it('packs by memory when memory, not cores, is what runs out', () => {
    const { tasks, names } = tasksOf({
      p: { memory: '4G', runtime: '4h' },
      q: { memory: '4G', runtime: '3h' },
      r: { memory: '4G', runtime: '2h' },
      s: { memory: '4G', runtime: '1h' },
    });
    const sch = schedule(tasks, node(8, 10 * G));
    expect(placements(sch, names)).toEqual({
      p: '0s-4h n0',
      q: '0s-3h n0',
      r: '3h-5h n0',
      s: '4h-5h n0',
    });
    expect(sch.peakConcurrency).toBe(2);
  });

  it('counts GPUs: three one-GPU tasks on a node of two', () => {
    const { tasks, names } = tasksOf({
      w: { cores: 4, runtime: '2h', group: 'cpu' },
      g1: { gpus: 1, runtime: '1h', group: 'gpu' },
      g2: { gpus: 1, runtime: '1h', group: 'gpu' },
      g3: { gpus: 1, runtime: '1h', group: 'gpu' },
    });
    const sch = schedule(tasks, node(8, 64 * G, 2));
    expect(placements(sch, names)).toEqual({
      w: '0s-2h n0',
      g1: '0s-1h n0',
      g2: '0s-1h n0',
      g3: '1h-2h n0',
    });
    expect(sch.gpuHours).toBe(3);
    expect(sch.peakGpus).toBe(2);
    expect(sch.byGroup).toEqual([
      { group: 'cpu', tasks: 1, coreHours: 8, gpuHours: 0, start: 0, end: 2 * H },
      { group: 'gpu', tasks: 3, coreHours: 3, gpuHours: 3, start: 0, end: 2 * H },
    ]);
  });

  it('places each task on the first node with room, never across nodes', () => {
    const { tasks, names } = tasksOf({
      big1: { cores: 3, runtime: '1h' },
      big2: { cores: 3, runtime: '1h' },
      small1: { runtime: '2h' },
      small2: { runtime: '2h' },
    });
    // The small ones (2h to go) fill node 0 to 2 free cores; big1 needs 3: node 1; big2 waits.
    expect(placements(schedule(tasks, node(4, 8 * G, 0, 2)), names)).toEqual({
      small1: '0s-2h n0',
      small2: '0s-2h n0',
      big1: '0s-1h n1',
      big2: '1h-2h n1',
    });
  });

  it('looks past a task that does not fit (lookahead), or not at all with lookahead 0', () => {
    const { tasks, names } = tasksOf({
      x: { cores: 3, runtime: '2h' },
      y: { cores: 4, runtime: '1h' },
      z: { cores: 1, runtime: '1h' },
    });
    expect(placements(schedule(tasks, node(4, G)), names)).toEqual({
      x: '0s-2h n0',
      z: '0s-1h n0',
      y: '2h-3h n0',
    });
    expect(placements(schedule(tasks, node(4, G), { lookahead: 0 }), names)).toEqual({
      x: '0s-2h n0',
      y: '2h-3h n0',
      z: '3h-4h n0',
    });
  });

  it('keeps to a cap on tasks and on cores at once (per-user limits)', () => {
    const { tasks } = tasksOf({
      a: { runtime: '1h' },
      b: { runtime: '1h' },
      c: { runtime: '1h' },
      d: { runtime: '1h' },
    });
    expect(schedule(tasks, { ...node(4, G), maxTasks: 2 }).makespan).toBe(2 * H);
    expect(schedule(tasks, { ...node(4, G, 0, 4), maxCores: 3 }).makespan).toBe(2 * H);
  });

  it('returns tasks that fit no node as errors, and does not schedule what waits for them', () => {
    const { tasks, names } = tasksOf({
      ok: { runtime: '1h' },
      wide: { cores: 8, runtime: '1h' },
      after: { runtime: '1h', after: ['wide'] },
      fat: { memory: '32G', runtime: '1h' },
      gpu: { gpus: 1, runtime: '1h' },
      mpi: { nodes: 2, runtime: '1h' },
    });
    const s = schedule(tasks, node(4, 16 * G));
    expect(placements(s, names)).toEqual({ ok: '0s-1h n0' });
    expect(s.unfit.map((u) => [names[u.task], u.limit, u.requested, u.available])).toEqual([
      ['wide', 'cores', 8, 4],
      ['fat', 'memory', 32 * G, 16 * G],
      ['gpu', 'gpus', 1, 0],
      ['mpi', 'nodes', 2, 1],
    ]);
    expect([...s.blocked].map((v) => names[v])).toEqual(['after']);
    expect(s.makespan).toBe(H);
  });

  it('tasks of zero runtime pass their dependents on at once', () => {
    const { tasks, names } = tasksOf({
      gate: { runtime: '0s' },
      work: { runtime: '1h', after: ['gate'] },
    });
    expect(placements(schedule(tasks, node(1, G)), names)).toEqual({ gate: '0s-0s n0', work: '0s-1h n0' });
  });

  it('keeps every dependency and every node capacity on random DAGs', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round++) {
      const n = 200;
      const from: number[] = [];
      const to: number[] = [];
      for (let v = 1; v < n; v++) {
        for (let k = 0; k < 2; k++) {
          if (rand() < 0.7) {
            from.push(Math.floor(rand() * v));
            to.push(v);
          }
        }
      }
      const tasks: ScheduleTasks = {
        dag: Dag.build(n, from, to),
        cores: Array.from({ length: n }, () => 1 + Math.floor(rand() * 4)),
        memory: Array.from({ length: n }, () => Math.floor(rand() * 8) * G),
        gpus: Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0)),
        runtime: Array.from({ length: n }, () => 60 * (1 + Math.floor(rand() * 60))),
      };
      const budget = node(4, 16 * G, 1, 1 + (round % 4));
      const s = schedule(tasks, budget);
      expect(s.scheduled).toBe(n);
      for (let e = 0; e < from.length; e++) expect(s.start[to[e]!]).toBeGreaterThanOrEqual(s.end[from[e]!]!);
      // At each start, what runs on that node fits it.
      for (let v = 0; v < n; v++) {
        let cores = 0;
        let mem = 0;
        let gpus = 0;
        for (let w = 0; w < n; w++) {
          if (s.node[w] !== s.node[v] || s.start[w]! > s.start[v]! || s.end[w]! <= s.start[v]!) continue;
          if (s.end[w] === s.start[w]) continue;
          cores += tasks.cores[w]!;
          mem += tasks.memory[w]!;
          gpus += tasks.gpus[w]!;
        }
        expect(cores).toBeLessThanOrEqual(budget.coresPerNode);
        expect(mem).toBeLessThanOrEqual(budget.memoryPerNode);
        expect(gpus).toBeLessThanOrEqual(budget.gpusPerNode);
      }
      expect(s.makespan).toBeGreaterThanOrEqual(s.criticalPath.seconds);
      const last = s.chain[s.chain.length - 1]!;
      expect(last.end).toBe(s.makespan);
      expect(s.chain[0]!.waited).toBe('start');
    }
  });
});
