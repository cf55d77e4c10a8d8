import { describe, expect, test } from 'vitest';
import { eta, parallelism, throughput } from '../../src/ui/dashboard/metrics.js';
import {
  createDashboardState,
  type DashboardState,
  MAX_FAILURES,
  reduce,
  rowCounts,
  taskState,
} from '../../src/ui/dashboard/reducer.js';
import { ev, fanout, T0, task } from './helpers.js';

const none = { pending: 0, queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };

const tasks = [
  task('prep', { runtime: 60, limit: 300 }),
  task('sim[s=1]', { group: 'ens', node: 'ens.sim', runtime: 100, limit: 600 }),
  task('sim[s=2]', { group: 'ens', node: 'ens.sim', runtime: 100, limit: 600 }),
  task('sim[s=3]', { group: 'ens', node: 'ens.sim', runtime: 100, limit: 600 }),
  task('ens.post', { group: 'ens' }),
  task('old', { state: 'succeeded' }),
];

function run(...events: Parameters<typeof reduce>[1][]): DashboardState {
  return events.reduce(reduce, createDashboardState({ now: T0 - 5000 }));
}

const row = (s: DashboardState, key: string) => s.rows.key.indexOf(key);

describe('reduce', () => {
  test('starts waiting, ignoring task events before the run', () => {
    const s = run(ev.begin('prep', T0, { pid: 1 }));
    expect(s.phase).toBe('waiting');
    expect(s.version).toBe(0);
    expect(s.createdAt).toBe(T0 - 5000);
  });

  test('run started builds the tree, the counts and the ETA inputs', () => {
    const s = run(ev.started(tasks));
    expect(s).toMatchObject({
      phase: 'running',
      version: 1,
      campaign: 'climate-ensemble',
      runId: 'r-0101-1200',
      scheduler: 'slurm',
      stateDir: '/scratch/.campaign',
      startedAt: T0,
      remainingDeclaredMs: 60_000 + 3 * 100_000,
      remainingUndeclared: 1,
      failuresTotal: 0,
    });
    expect(Array.from(s.counts)).toEqual([5, 0, 0, 1, 0, 0, 0]);
    expect(s.rows.key).toEqual(['prep', 'ens', 'ens.sim', 'ens.post', 'old']);
    expect(s.rows.name).toEqual(['prep', 'ens', 'sim', 'post', 'old']);
    expect(Array.from(s.rows.isGroup)).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(s.rows.isFanout)).toEqual([0, 0, 1, 0, 0]);
    expect(Array.from(s.rows.parent)).toEqual([-1, -1, 1, 1, -1]);
    expect(Array.from(s.rows.total)).toEqual([1, 4, 3, 1, 1]);
    expect(rowCounts(s, row(s, 'ens'))).toEqual({ ...none, pending: 4 });
    // Work an earlier run finished is complete from the start and is not announced again.
    expect(Array.from(s.rows.announced)).toEqual([0, 0, 0, 0, 1]);
    expect(s.finished).toEqual([]);
  });

  test('a task moves through queued and running; placement and start time are kept', () => {
    const s = run(
      ev.started(tasks),
      ev.queued('prep', T0 + 1000, 1, { jobId: '7' }),
      ev.begin('prep', T0 + 2000, { jobId: '7', host: 'n01' }),
    );
    expect(taskState(s, 'prep')).toBe('running');
    expect(Array.from(s.counts)).toEqual([4, 0, 1, 1, 0, 0, 0]);
    expect([...s.running]).toEqual([0]);
    expect(s.tasks.where.get(0)).toEqual({ jobId: '7', host: 'n01' });
    expect(s.tasks.startedAt[0]).toBe(T0 + 2000);
    expect(s.firstStartAt).toBe(T0 + 2000);
    expect(s.remainingDeclaredMs).toBe(300_000);
    expect(s.rows.firstStart[row(s, 'prep')]).toBe(T0 + 2000);
    expect(s.rows.lastLog[row(s, 'prep')]).toEqual({
      taskId: 'prep',
      out: '/logs/prep.1.out',
      err: '/logs/prep.1.err',
    });
    expect(s.version).toBe(3);
  });

  test('a whole run: retries, a final failure, skips, completed rows, the end', () => {
    const s = run(
      ev.started(tasks),
      ev.begin('prep', T0 + 2000, { pid: 11 }),
      ev.ok('prep', T0 + 62_000, 60_000),
      ev.begin('sim[s=1]', T0 + 63_000, { jobId: '8_1' }),
      ev.begin('sim[s=2]', T0 + 63_500, { jobId: '8_2' }),
      ev.begin('sim[s=3]', T0 + 64_000, { jobId: '8_3' }),
      ev.fail('sim[s=1]', T0 + 70_000, 'node failure', { kind: 'node_fail', retryIn: 10 }),
    );
    expect(taskState(s, 'sim[s=1]')).toBe('pending');
    expect(s.retried).toBe(1);
    expect(s.failures).toEqual([]);
    expect([...s.running]).toEqual([2, 3]);
    expect(s.tasks.where.has(1)).toBe(false);
    expect(s.tasks.logs.has(1)).toBe(false);
    expect(s.tasks.logs.get(2)).toEqual({ out: '/logs/sim[s=2].1.out', err: '/logs/sim[s=2].1.err' });
    expect(s.remainingDeclaredMs).toBe(100_000);
    expect(s.finished).toEqual([
      { key: 0, kind: 'row', row: 0, counts: [0, 0, 0, 1, 0, 0, 0], durationMs: 60_000 },
    ]);

    const end = [
      ev.begin('sim[s=1]', T0 + 80_000, { jobId: '9_1' }, 2),
      ev.ok('sim[s=1]', T0 + 180_000, 100_000, 2),
      ev.ok('sim[s=2]', T0 + 213_500, 150_000),
      ev.fail('sim[s=3]', T0 + 664_000, 'timed out after 10m', { kind: 'timeout' }),
      ev.skipped('ens.post', T0 + 664_001, 'ens.sim'),
      ev.finished(T0 + 665_000, 'failed', { ...none, succeeded: 4, failed: 1, skipped: 1 }),
    ].reduce(reduce, s);
    expect(end.phase).toBe('finished');
    expect(end.status).toBe('failed');
    expect(end.finishedAt).toBe(T0 + 665_000);
    expect(end.finalCounts).toEqual({ ...none, succeeded: 4, failed: 1, skipped: 1 });
    expect(Array.from(end.counts)).toEqual([0, 0, 0, 4, 1, 1, 0]);
    expect(end.running.size).toBe(0);
    expect(end.tasks.attempt[1]).toBe(2);
    expect(end.failuresTotal).toBe(1);
    const failure = {
      id: 'sim[s=3]',
      row: 2,
      attempt: 1,
      kind: 'timeout',
      message: 'timed out after 10m',
      t: T0 + 664_000,
      logs: { out: '/logs/sim[s=3].1.out', err: '/logs/sim[s=3].1.err' },
    };
    expect(end.failures).toEqual([failure]);
    expect(end.rows.lastFailureLog[row(end, 'ens')]).toEqual({
      taskId: 'sim[s=3]',
      out: '/logs/sim[s=3].1.out',
      err: '/logs/sim[s=3].1.err',
    });
    // The node row completes when its last instance fails; the group when its last node is skipped.
    expect(end.finished).toEqual([
      { key: 0, kind: 'row', row: 0, counts: [0, 0, 0, 1, 0, 0, 0], durationMs: 60_000 },
      { key: 1, kind: 'failure', failure },
      { key: 2, kind: 'row', row: 2, counts: [0, 0, 0, 2, 1, 0, 0], durationMs: 601_000 },
      { key: 3, kind: 'row', row: 3, counts: [0, 0, 0, 0, 0, 1, 0], durationMs: undefined },
      { key: 4, kind: 'row', row: 1, counts: [0, 0, 0, 2, 1, 1, 0], durationMs: 601_001 },
    ]);
    // Durations: prep 60s for 60s declared, sims 100s and 150s for 100s declared.
    expect(end.observedWallMs).toBe(310_000);
    expect(end.observedDeclaredMs).toBe(260_000);
    expect(end.observedAllCount).toBe(3);
    expect(end.remainingDeclaredMs).toBe(0);
    expect(end.remainingUndeclared).toBe(0);
  });

  test('cancelling and cancelled tasks', () => {
    const s = run(
      ev.started(tasks),
      ev.begin('prep', T0 + 1000, { pid: 11 }),
      ev.cancelling(T0 + 2000),
      ev.cancelled('prep', T0 + 2100),
    );
    expect(s.phase).toBe('cancelling');
    expect(Array.from(s.counts)).toEqual([4, 0, 0, 1, 0, 0, 1]);
    expect(s.finished).toEqual([
      { key: 0, kind: 'row', row: 0, counts: [0, 0, 0, 0, 0, 0, 1], durationMs: 1100 },
    ]);
  });

  test('events for unknown tasks change nothing', () => {
    const s = run(ev.started(tasks));
    const v = s.version;
    expect(reduce(s, ev.ok('nope', T0 + 1))).toBe(s);
    expect(s.version).toBe(v);
  });

  test('keeps only the latest failures, counting them all', () => {
    const many = fanout('big', MAX_FAILURES + 5);
    const s = run(ev.started(many), ...many.map((t, i) => ev.fail(t.id, T0 + i, `exit code ${i}`)));
    expect(s.failuresTotal).toBe(MAX_FAILURES + 5);
    expect(s.failures.length).toBe(MAX_FAILURES);
    expect(s.failures[0]!.id).toBe('big[i=5]');
    expect(s.failures.at(-1)!.id).toBe(`big[i=${MAX_FAILURES + 4}]`);
  });

  test('splits group paths outside instance brackets and folds fanned-out groups', () => {
    const s = run(
      ev.started([
        task('a.b[x=0.5].c', { group: 'a.b[x=0.5]', node: 'a.b.c' }),
        task('a.b[x=1.5].c', { group: 'a.b[x=1.5]', node: 'a.b.c' }),
      ]),
    );
    expect(s.rows.key).toEqual(['a', 'a.b', 'a.b.c']);
    expect(Array.from(s.rows.total)).toEqual([2, 2, 2]);
    expect(Array.from(s.rows.isFanout)).toEqual([0, 0, 1]);
  });
});

describe('metrics', () => {
  const four = [0, 1, 2, 3].map((i) => task(`t${i}`, { runtime: 100 }));

  test('ETA and throughput are unknown before anything starts', () => {
    const s = run(ev.started(four));
    expect(eta(s, T0 + 10_000)).toBeUndefined();
    expect(throughput(s, T0 + 10_000)).toBeUndefined();
    expect(parallelism(s, T0 + 10_000)).toBe(0);
  });

  test('ETA: declared work left over observed parallelism, corrected by observed/declared', () => {
    const s = run(ev.started(four), ev.begin('t0', T0, { pid: 1 }), ev.begin('t1', T0, { pid: 2 }));
    expect(parallelism(s, T0 + 50_000)).toBe(2);
    // 2 pending x 100s + 2 running x (100s - 50s) = 300s of work on 2 lanes.
    expect(eta(s, T0 + 50_000)).toBe(150_000);
    reduce(s, ev.ok('t0', T0 + 120_000, 120_000));
    // Tasks take 1.2x their declaration: 2 x 120s left, t1 is overdue (0s), 2 lanes.
    expect(eta(s, T0 + 120_000)).toBe(120_000);
    expect(throughput(s, T0 + 120_000)).toBe(1 / 60);
  });

  test('ETA is unknown while undeclared work has nothing to compare with', () => {
    const s = run(ev.started([task('a'), task('b')]), ev.begin('a', T0, { pid: 1 }));
    expect(eta(s, T0 + 1000)).toBeUndefined();
    reduce(s, ev.ok('a', T0 + 30_000, 30_000));
    reduce(s, ev.begin('b', T0 + 30_000, { pid: 2 }));
    // b is expected to take as long as a did; 10s of it are gone; one lane on average.
    expect(eta(s, T0 + 40_000)).toBe(20_000);
  });

  test('throughput counts the last minute of finished tasks', () => {
    const s = run(ev.started(fanout('x', 200)));
    reduce(s, ev.begin('x[i=0]', T0, { pid: 1 }));
    for (let i = 0; i < 120; i++) reduce(s, ev.ok(`x[i=${i}]`, T0 + i * 1000));
    // Finished at seconds 0..119; the window at 120s holds seconds 61..120.
    expect(throughput(s, T0 + 120_000)).toBe(59 / 60);
  });

  test('throughput early on is over the time since the first start, at least a second', () => {
    const s = run(ev.started(fanout('x', 10)), ev.begin('x[i=0]', T0, { pid: 1 }), ev.ok('x[i=0]', T0 + 200));
    expect(throughput(s, T0 + 500)).toBe(1);
    reduce(s, ev.ok('x[i=1]', T0 + 3000));
    expect(throughput(s, T0 + 4000)).toBe(0.5);
  });
});
