import TOML from '@iarna/toml';
import { describe, expect, it } from 'vitest';
import { checkDeadline, parseDeadline } from '../../src/plan/deadline.js';
import { schedule } from '../../src/plan/schedule.js';
import { EXAMPLE, G, H, tasksOf } from './helpers.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0); // 2026-12-01T12:00:00Z
const ONE_NODE = { nodes: 1, coresPerNode: 4, memoryPerNode: 16 * G, gpusPerNode: 0 };

describe('parseDeadline', () => {
  it('reads a duration from the run start', () => {
    expect(parseDeadline('36h', { now: NOW })).toEqual({
      ok: true,
      deadline: { at: NOW + 36 * H * 1000, remaining: 36 * H, relative: true },
    });
    // Half an hour into the run, 4h from its start leaves 3h30m.
    expect(parseDeadline('4h', { now: NOW, start: NOW - 1800_000 })).toMatchObject({
      ok: true,
      deadline: { remaining: 3.5 * H },
    });
  });

  it('reads ISO date-times with and without a zone, and dates', () => {
    expect(parseDeadline('2026-12-02T00:00:00Z', { now: NOW })).toMatchObject({
      deadline: { remaining: 12 * H },
    });
    expect(parseDeadline('2026-12-02T02:00:00+02:00', { now: NOW })).toMatchObject({
      deadline: { remaining: 12 * H },
    });
    // No zone: local time, at the offset the caller gives (UTC+1 here).
    expect(parseDeadline('2026-12-02T01:00', { now: NOW, utcOffsetMinutes: 60 })).toMatchObject({
      deadline: { remaining: 12 * H, relative: false },
    });
    expect(parseDeadline('2026-12-03', { now: NOW })).toMatchObject({ deadline: { remaining: 36 * H } });
  });

  it('reads TOML datetimes as @iarna/toml gives them', () => {
    const t = TOML.parse('a = 2026-12-02T00:00:00Z\nb = 2026-12-02T01:00:00\nc = 2026-12-03') as Record<
      string,
      unknown
    >;
    expect(parseDeadline(t.a, { now: NOW })).toMatchObject({ deadline: { remaining: 12 * H } });
    expect(parseDeadline(t.b, { now: NOW, utcOffsetMinutes: 60 })).toMatchObject({
      deadline: { remaining: 12 * H },
    });
    expect(parseDeadline(t.c, { now: NOW })).toMatchObject({ deadline: { remaining: 36 * H } });
  });

  it('a deadline in the past, or that is no date nor duration, is a typed error', () => {
    expect(parseDeadline('2026-12-01T11:00:00Z', { now: NOW })).toEqual({
      ok: false,
      error: { code: 'deadline-past', message: 'the deadline passed 1h ago (2026-12-01T11:00:00.000Z)' },
    });
    expect(parseDeadline('soon', { now: NOW })).toMatchObject({ ok: false, error: { code: 'bad-deadline' } });
    expect(parseDeadline('2026-02-30', { now: NOW })).toMatchObject({
      ok: false,
      error: { code: 'bad-deadline' },
    });
    expect(parseDeadline(36, { now: NOW })).toMatchObject({ ok: false, error: { code: 'bad-deadline' } });
  });
});

describe('checkDeadline', () => {
  it('the example misses deadline = "4h" by 30m and needs 2 nodes (3h30m)', () => {
    const { tasks, names } = EXAMPLE;
    const c = checkDeadline(tasks, ONE_NODE, 4 * H);
    expect(c.met).toBe(false);
    expect(c.makespan).toBe(4.5 * H);
    expect(c.late).toBe(0.5 * H);
    expect(c.suggestion).toEqual({
      nodes: 2,
      makespan: 3.5 * H,
      text: 'with nodes = 2 the makespan is 3h30m',
    });
    expect(c.text).toBe(
      'the makespan 4h30m misses the deadline 4h by 30m; with nodes = 2 the makespan is 3h30m',
    );
    expect(c.chain.map((l) => names[l.task])).toEqual(['a', 'c', 'e', 'f', 'd']);
    expect([...c.criticalPath.tasks].map((v) => names[v])).toEqual(['a', 'b', 'd']);
    // The budget, then the top of the range, then the binary search down to 2.
    expect(c.tried.map((t) => t.nodes)).toEqual([1, 64, 32, 16, 8, 4, 2]);
  });

  it('a deadline met says by how much', () => {
    const c = checkDeadline(EXAMPLE.tasks, ONE_NODE, 5 * H);
    expect(c).toMatchObject({ met: true, late: 0 });
    expect(c.text).toBe('the makespan 4h30m meets the deadline 5h with 30m to spare');
  });

  it('no number of nodes helps when the chain of dependencies alone is too long', () => {
    const c = checkDeadline(EXAMPLE.tasks, ONE_NODE, 3 * H);
    expect(c.suggestion).toBeUndefined();
    expect(c.hopeless).toBe(
      'the longest chain of dependencies alone takes 3h30m: no number of nodes meets the deadline',
    );
    expect(c.tried).toHaveLength(1);
  });

  it('says so when even the most nodes allowed do not meet it', () => {
    const c = checkDeadline(EXAMPLE.tasks, ONE_NODE, 4 * H, { maxNodes: 1 });
    expect(c.hopeless).toBe('even with nodes = 1 the makespan is 4h30m');
  });

  it('starts the search above the node count the work cannot fit in', () => {
    const spec: Record<string, { cores: number; runtime: string }> = {};
    for (let i = 0; i < 10; i++) spec[`t${i}`] = { cores: 4, runtime: '1h' };
    const { tasks } = tasksOf(spec);
    // 40 core-hours in 2h on 4-core nodes: at least 5 nodes; 4 cannot, so the search starts there.
    const c = checkDeadline(tasks, ONE_NODE, 2 * H);
    expect(c.suggestion).toMatchObject({ nodes: 5, makespan: 2 * H });
    expect(c.tried.map((t) => t.nodes)).toEqual([1, 64, 34, 19, 11, 7, 5]);
    expect(schedule(tasks, { ...ONE_NODE, nodes: 4 }).makespan).toBe(3 * H);
  });
});
