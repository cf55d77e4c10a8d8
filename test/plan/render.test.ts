import { describe, expect, it } from 'vitest';
import {
  formatChain,
  formatGroupTable,
  formatTimeline,
  formatUnfit,
  groupRows,
} from '../../src/plan/render.js';
import { schedule } from '../../src/plan/schedule.js';
import { EXAMPLE, G, tasksOf } from './helpers.js';

// The example of docs/planning.md with groups, and GPUs for the two memory-bound tasks.
const GROUPED = tasksOf({
  a: { cores: 4, memory: '2G', runtime: '1h', group: 'prep' },
  b: { cores: 2, memory: '2G', runtime: '2h', after: ['a'], group: 'maps' },
  c: { cores: 2, memory: '1G', runtime: '1h', after: ['a'], group: 'maps' },
  d: { cores: 4, memory: '2G', runtime: '30m', after: ['b', 'c'], group: 'report' },
  e: { cores: 1, memory: '12G', runtime: '1h', gpus: 1, group: 'sims' },
  f: { cores: 1, memory: '12G', runtime: '1h', gpus: 1, group: 'sims' },
});
const ONE = { nodes: 1, coresPerNode: 4, memoryPerNode: 16 * G, gpusPerNode: 1 };

describe('render', () => {
  it('the per-group table: tasks, cores, memory, runtime, partition, core- and GPU-hours', () => {
    const s = schedule(GROUPED.tasks, ONE);
    const rows = groupRows(GROUPED.tasks, s, (g) =>
      GROUPED.tasks.groups![g] === 'sims' ? 'gpu' : 'regular',
    );
    expect(rows[1]).toEqual({
      group: 'maps',
      tasks: 2,
      cores: [2, 2],
      memory: [G, 2 * G],
      runtime: [3600, 7200],
      partition: 'regular',
      coreHours: 6,
      gpuHours: 0,
    });
    expect(formatGroupTable(rows)).toBe(
      [
        'group   tasks  cores  memory  runtime  partition  core-h  gpu-h',
        'prep        1  4      2G      1h       regular      4.00   0.00',
        'maps        2  2      1G-2G   1h-2h    regular      6.00   0.00',
        'report      1  4      2G      30m      regular      2.00   0.00',
        'sims        2  1      12G     1h       gpu          2.00   2.00',
        '',
      ].join('\n'),
    );
  });

  it('a timeline per group, bounded in width, shaded by cores in use', () => {
    const s = schedule(GROUPED.tasks, ONE);
    // 18 columns of 15 minutes: prep 0-1h, maps 1h-3h (4 then 2 cores), sims 2h-4h, report 4h-4h30m.
    expect(formatTimeline(GROUPED.tasks, s, { width: 18 })).toBe(
      [
        '        0s   1h15m   4h30m',
        'prep   │████              │',
        'maps   │    ████▒▒▒▒      │',
        'report │                ██│',
        'sims   │        ░░░░░░░░  │',
        '        ░ ▒ ▓ █: up to 1/4, 1/2, 3/4, all of the peak of 4 cores',
        '',
      ].join('\n'),
    );
    // Fewer rows than groups: the busiest stay, the rest are summed.
    expect(formatTimeline(GROUPED.tasks, s, { width: 18, rows: 2 }).split('\n').slice(1, 3)).toEqual([
      'maps     │    ████▒▒▒▒      │',
      '… 3 more │████    ░░░░░░░░██│',
    ]);
  });

  it('a timeline per node', () => {
    const s = schedule(EXAMPLE.tasks, { ...ONE, nodes: 2, gpusPerNode: 0 });
    expect(formatTimeline(EXAMPLE.tasks, s, { width: 14, by: 'node' }).split('\n').slice(0, 3)).toEqual([
      '        0s  1h   3h30m',
      'node 0 │████████▒▒▒▒██│',
      'node 1 │░░░░░░░░      │',
    ]);
  });

  it('the chain that sets the makespan, and the tasks that fit nowhere', () => {
    const s = schedule(EXAMPLE.tasks, { ...ONE, gpusPerNode: 0 });
    expect(formatChain(s.chain, (v) => EXAMPLE.names[v]!)).toEqual([
      'a  0s-1h  at the start',
      'c  1h-2h  after a',
      'e  2h-3h  waited for room until c ended',
      'f  3h-4h  waited for room until e ended',
      'd  4h-4h30m  waited for room until f ended',
    ]);
    const u = tasksOf({ wide: { cores: 8, runtime: '1h' }, fat: { memory: '32G', runtime: '1h' } });
    const us = schedule(u.tasks, { ...ONE, gpusPerNode: 0 });
    expect(formatUnfit(us.unfit, (v) => u.names[v]!)).toEqual([
      'wide: needs 8 cores, a node has 4',
      'fat: needs 32G of memory, a node has 16G',
    ]);
  });
});
