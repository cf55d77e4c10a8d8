import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedent, Rig } from '../rig.js';
import { count, mask, TASK, times } from './helpers.js';

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => rig.cleanup());

const head = (extra = '') => `[campaign]\nname = "t"\n${extra}\n`;
const node = (name: string, args = '', more = '') =>
  `[campaign.${name}]\ncommand = "${TASK} ${name.split('.').pop()} ${args}"\n${more}\n`;

/** a → group g (x, y) → r, as in the README's tour. */
const tour = () =>
  head() +
  node('a') +
  `[campaign.g]\ndepends_on = ["a"]\n` +
  node('g.x') +
  node('g.y') +
  node('r', '', 'depends_on = ["g"]');

const ran = () => ['a', 'x', 'y', 'r'].map((n) => count(rig, n));

describe('--force forces the selection only', () => {
  it('--only GROUP --force reruns the group; its done upstream counts as done', () => {
    rig.write('c.toml', tour());
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    expect(rig.run(['run', 'c.toml', '--only', 'g', '--force', '--dry-run']).stdout).toBe(
      'would run 2 of 2 selected tasks (0 up to date):\n  g.x  forced\n  g.y  forced\n',
    );
    const r = rig.run(['run', 'c.toml', '--only', 'g', '--force', '--cores', '1']);
    expect(r.code).toBe(0);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN002 of t on local: 2 tasks
        [t] started    g.x (pid N)
        [t] succeeded  g.x in Ns
        [t] started    g.y (pid N)
        [t] succeeded  g.y in Ns
        [t] succeeded: 2 succeeded in Ns
      `),
    );
    expect(ran()).toEqual([1, 2, 2, 1]);
    // The earlier success of a still stands; only what depends on the group is now stale.
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 1 of 4 selected tasks (3 up to date):\n  r  upstream changed\n',
    );
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    expect(ran()).toEqual([1, 2, 2, 2]);
  });

  it('--from NODE --force reruns NODE and what follows it, not what it needs', () => {
    rig.write('c.toml', tour());
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    expect(rig.run(['run', 'c.toml', '--from', 'g.x', '--force', '--dry-run']).stdout).toBe(
      'would run 2 of 2 selected tasks (0 up to date):\n  g.x  forced\n  r    forced\n',
    );
    expect(rig.run(['run', 'c.toml', '--from', 'g.x', '--force']).code).toBe(0);
    expect(ran()).toEqual([1, 2, 1, 2]);
    expect(rig.run(['run', 'c.toml', '--dry-run']).stdout).toBe(
      'would run 0 of 4 selected tasks (4 up to date)\n',
    );
  });

  it('--force of a node by bare name reruns only its tasks', () => {
    rig.write('c.toml', tour());
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    expect(rig.run(['run', 'c.toml', '--only', 'y', '--force']).code).toBe(0);
    expect(ran()).toEqual([1, 1, 2, 1]);
  });
});

describe('an up-to-date campaign', () => {
  it('says there is nothing to do', () => {
    rig.write('c.toml', tour());
    expect(rig.run(['run', 'c.toml']).code).toBe(0);
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(0);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN002 of t on local: 4 tasks, 4 up to date
        [t] nothing to do: 4 up to date
      `),
    );
    expect(ran()).toEqual([1, 1, 1, 1]);
  });
});

/** The most executions of the named tasks that overlapped at any moment. */
function peak(names: string[]): number {
  const edges: [number, number][] = [];
  for (const n of names) for (const [s, e] of times(rig, n)) edges.push([s, 1], [e, -1]);
  edges.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) {
    now += d;
    most = Math.max(most, now);
  }
  return most;
}

describe('max_parallel on a group', () => {
  it('bounds the tasks of the group together, with cores to spare', () => {
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    rig.write(
      'c.toml',
      `${head()}[campaign.workers]\nmax_parallel = 2\n` +
        names.map((n) => node(`workers.${n}`, 'sleep=0.4')).join('') +
        node('free1', 'sleep=0.4') +
        node('free2', 'sleep=0.4'),
    );
    expect(rig.run(['run', 'c.toml', '--cores', '8']).code).toBe(0);
    expect(names.map((n) => count(rig, n))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(peak(names)).toBe(2);
    // The bound is the group's: tasks outside it ran alongside.
    expect(peak([...names, 'free1', 'free2'])).toBeGreaterThan(2);
  });

  it('nests: a node bound inside a bounded group keeps both bounds', () => {
    const inner = ['i1', 'i2', 'i3', 'i4'];
    rig.write(
      'c.toml',
      `${head()}[campaign.all]\nmax_parallel = 3\n` +
        `[campaign.all.inner]\nmax_parallel = 1\n` +
        inner.map((n) => node(`all.inner.${n}`, 'sleep=0.3')).join('') +
        node('all.o1', 'sleep=0.3') +
        node('all.o2', 'sleep=0.3') +
        node('all.o3', 'sleep=0.3'),
    );
    expect(rig.run(['run', 'c.toml', '--cores', '8']).code).toBe(0);
    expect(peak(inner)).toBe(1);
    expect(peak([...inner, 'o1', 'o2', 'o3'])).toBe(3);
  });
});
