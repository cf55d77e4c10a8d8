import { Dag } from '../../src/model/dag.js';
import { formatDuration, parseDuration, parseMemory } from '../../src/model/units.js';
import type { Schedule, ScheduleTasks } from '../../src/plan/schedule.js';

/** A task of a hand-worked example: memory and runtime as written in a campaign file. */
export interface T {
  readonly cores?: number;
  readonly memory?: string;
  readonly gpus?: number;
  readonly nodes?: number;
  readonly runtime: string;
  readonly after?: readonly string[];
  readonly group?: string;
}

/** The schedule's input for named tasks (task numbers in the order written). */
export function tasksOf(spec: Record<string, T>): { tasks: ScheduleTasks; names: string[] } {
  const names = Object.keys(spec);
  const at = new Map(names.map((n, i) => [n, i]));
  const from: number[] = [];
  const to: number[] = [];
  const groups: string[] = [];
  const group: number[] = [];
  for (const [i, n] of names.entries()) {
    for (const d of spec[n]!.after ?? []) {
      from.push(at.get(d)!);
      to.push(i);
    }
    const g = spec[n]!.group ?? 'all';
    if (!groups.includes(g)) groups.push(g);
    group.push(groups.indexOf(g));
  }
  const list = names.map((n) => spec[n]!);
  return {
    names,
    tasks: {
      dag: Dag.build(names.length, from, to),
      cores: list.map((t) => t.cores ?? 1),
      memory: list.map((t) => (t.memory ? parseMemory(t.memory)! : 0)),
      gpus: list.map((t) => t.gpus ?? 0),
      nodes: list.map((t) => t.nodes ?? 1),
      runtime: list.map((t) => parseDuration(t.runtime)!),
      group,
      groups,
    },
  };
}

/** Every scheduled task as `start-end nNODE`, by name: the exact schedule, readable. */
export function placements(s: Schedule, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  names.forEach((n, v) => {
    if (s.start[v]! >= 0)
      out[n] = `${formatDuration(s.start[v]!)}-${formatDuration(s.end[v]!)} n${s.node[v]}`;
  });
  return out;
}

export const G = 1024;
export const H = 3600;

/** The example of docs/planning.md, worked out by hand there. */
export const EXAMPLE = tasksOf({
  a: { cores: 4, memory: '2G', runtime: '1h' },
  b: { cores: 2, memory: '2G', runtime: '2h', after: ['a'] },
  c: { cores: 2, memory: '2G', runtime: '1h', after: ['a'] },
  d: { cores: 4, memory: '2G', runtime: '30m', after: ['b', 'c'] },
  e: { cores: 1, memory: '12G', runtime: '1h' },
  f: { cores: 1, memory: '12G', runtime: '1h' },
});
