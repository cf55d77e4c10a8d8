import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Handle, SubmitResult } from '../../src/schedulers/contract.js';
import { SgeAdapter } from '../../src/schedulers/sge/adapter.js';
import { cancelJobs, jobsInQueue } from '../../src/schedulers/sge/headless.js';
import {
  assertSge,
  cleanQueue,
  countingRunner,
  describeSge,
  RES,
  sub,
  UNIQUE,
  Updates,
  waitFor,
} from './helpers.js';

const handles = (rs: readonly SubmitResult[]): Handle[] =>
  rs.map((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.handle;
  });

describeSge('Grid Engine adapter: watching many tasks, and a run with no head', () => {
  const root = mkdtempSync(join(tmpdir(), 'sge-poll-'));
  const campaign = `poll-${UNIQUE}`;
  beforeAll(assertSge);
  afterAll(() => {
    cleanQueue(`${campaign}.`);
    rmSync(root, { recursive: true, force: true });
  });

  it('one qstat per poll cycle with 302 tasks pending in five jobs; one qdel cancels them all', async () => {
    const counter = countingRunner();
    // Held (-h): they stay pending, so the test waits on the queue, not on the 2 slots.
    const adapter = new SgeAdapter({
      dir: join(root, 'runs/p1/sge'),
      campaign,
      runId: 'p1',
      pollInterval: 1,
      maxPollInterval: 1,
      qsubArgs: ['-h'],
      run: counter.run,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    // Three memory requests make three arrays of 100; two more single jobs.
    const subs = [100, 150, 250].flatMap((memory) =>
      Array.from({ length: 100 }, (_, i) =>
        sub(root, `t${memory}-${i}`, 'true', { resources: { ...RES, memory } }, 'p1'),
      ),
    );
    subs.push(sub(root, 'one', 'true', { resources: { ...RES, memory: 300 } }, 'p1'));
    subs.push(sub(root, 'two', 'true', { resources: { ...RES, memory: 350 } }, 'p1'));
    // As the engine hands them over: one submit call each, all in the same tick.
    const hs = (await Promise.all(
      subs.map((s) => adapter.submit([s]).then((r) => handles(r)[0]!)),
    )) as Handle[];
    expect(counter.calls.get('qsub')).toBe(5);
    const cycles0 = adapter.stats.poll.cycles;
    const qstat0 = counter.calls.get('qstat') ?? 0;
    await waitFor(() => adapter.stats.poll.cycles >= cycles0 + 5, 60_000, 'five poll cycles');
    expect((counter.calls.get('qstat') ?? 0) - qstat0).toBe(adapter.stats.poll.cycles - cycles0);
    expect(counter.calls.get('qstat')).toBe(adapter.stats.poll.cycles);
    expect(adapter.stats.watched).toBe(302);
    expect(updates.all.every((u) => u.kind === 'queued')).toBe(true);
    expect(counter.calls.get('qacct') ?? 0).toBe(0);

    const qdel0 = counter.calls.get('qdel') ?? 0;
    await adapter.cancel(hs);
    expect((counter.calls.get('qdel') ?? 0) - qdel0).toBe(1);
    await updates.waitEnded(
      hs.map((h) => h.taskId),
      60_000,
    );
    await adapter.close();
    for (const h of hs) expect(updates.ended(h.taskId)?.failure).toBe('cancelled');
    const left = await jobsInQueue(hs.map((h) => h.jobId));
    expect(left).toEqual({ ok: true, live: new Set() });
  }, 180_000);

  it('without a head: jobsInQueue tells which jobs are left with one qstat, cancelJobs deletes them with one qdel', async () => {
    const adapter = new SgeAdapter({
      dir: join(root, 'runs/h1/sge'),
      campaign,
      runId: 'h1',
      qsubArgs: ['-h'],
    });
    adapter.start(() => {});
    const hs = handles(
      await adapter.submit([
        sub(root, 'a-0', 'true', {}, 'h1'),
        sub(root, 'a-1', 'true', {}, 'h1'),
        sub(root, 'b', 'true', { resources: { ...RES, memory: 300 } }, 'h1'),
      ]),
    );
    await adapter.close();
    const counter = countingRunner();
    const ids = [...hs.map((h) => h.jobId), '999999', '999998.3'];
    const live = await jobsInQueue(ids, { run: counter.run });
    expect(live).toEqual({ ok: true, live: new Set(hs.map((h) => h.jobId)) });
    expect(await cancelJobs(ids, { run: counter.run })).toEqual({ ok: true });
    expect(counter.log.map((c) => c[0])).toEqual(['qstat', 'qdel']);
    expect(counter.log[1]).toEqual([
      'qdel',
      hs[2]!.jobId,
      '999999',
      `${hs[0]!.jobId.split('.')[0]}.1-2`,
      '999998.3',
    ]);
    await waitFor(
      () => {
        const r = spawnQueue(hs);
        return r.size === 0;
      },
      30_000,
      'the deleted jobs to leave the queue',
    );
  }, 120_000);
});

/** Which of these handles' jobs qstat still lists (synchronously, for waitFor). */
function spawnQueue(hs: readonly Handle[]): Set<string> {
  const r = spawnSync('qstat', ['-u', '*'], { encoding: 'utf8' });
  const listed = new Set(r.stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]));
  return new Set(hs.map((h) => h.jobId.split('.')[0]!).filter((id) => listed.has(id)));
}
