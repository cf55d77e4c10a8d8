import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CommandRunner } from '../../src/schedulers/batch/runner.js';
import type { Handle, SubmitResult } from '../../src/schedulers/contract.js';
import { SgeAdapter, type SgeAdapterOptions } from '../../src/schedulers/sge/adapter.js';
import {
  assertSge,
  cleanQueue,
  countingRunner,
  describeSge,
  queueByName,
  RES,
  sub,
  UNIQUE,
  Updates,
} from './helpers.js';

const handle = (r: SubmitResult | undefined): Handle => {
  if (!r?.ok) throw new Error(r ? r.message : 'no result');
  return r.handle;
};

describeSge('Grid Engine adapter: how jobs end, on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'sge-outcomes-'));
  const campaign = `outcomes-${UNIQUE}`;
  beforeAll(assertSge);
  afterAll(() => {
    cleanQueue(`${campaign}.`);
    rmSync(root, { recursive: true, force: true });
  });

  const make = (runId: string, run?: CommandRunner, extra: Partial<SgeAdapterOptions> = {}) =>
    new SgeAdapter({
      dir: join(root, 'runs', runId, 'sge'),
      campaign,
      runId,
      pollInterval: 1,
      maxPollInterval: 2,
      resultGrace: 3,
      retryBackoff: 200,
      ...(run ? { run } : {}),
      ...extra,
    });
  /** Waits until nothing of this run is left in the queue (failed jobs wait in Eqw until deleted). */
  const drained = async (runId: string) => {
    const until = Date.now() + 30_000;
    while (queueByName(`${campaign}.${runId}.`).length > 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 500));
    return queueByName(`${campaign}.${runId}.`);
  };

  it('a failing array task ends failed with its exit code; its job, held in Eqw, is deleted', async () => {
    const adapter = make('f1');
    const updates = new Updates();
    adapter.start(updates.sink);
    const hs = (
      await adapter.submit([0, 1, 2].map((i) => sub(root, `f-${i}`, `test ${i} -ne 1`, {}, 'f1')))
    ).map(handle);
    await updates.waitEnded(['f-0', 'f-1', 'f-2'], 120_000);
    await adapter.close();
    expect(hs.map((h) => h.jobId.split('.')[0])).toEqual([0, 1, 2].map(() => hs[0]!.jobId.split('.')[0]));
    expect(updates.ended('f-1')).toMatchObject({
      failure: 'failed',
      message: 'exit code 1',
      outcome: { exitCode: 1, schedulerState: 'Eqw' },
    });
    for (const t of ['f-0', 'f-2']) expect(updates.ended(t)).toMatchObject({ outcome: { exitCode: 0 } });
    expect(await drained('f1')).toEqual([]);
  }, 150_000);

  it('qdel from outside ends cancelled, running or pending; adapter.cancel deletes a whole array in one qdel', async () => {
    const counter = countingRunner();
    const adapter = make('c1', counter.run);
    const updates = new Updates();
    adapter.start(updates.sink);
    const outside = handle((await adapter.submit([sub(root, 'outside', 'sleep 120', {}, 'c1')]))[0]);
    // Held, so they stay pending until deleted: cancelling must not wait for them to run.
    const held = make('c1h', counter.run, { qsubArgs: ['-h'] });
    held.start(updates.sink);
    const pending = handle((await held.submit([sub(root, 'pending', 'true', {}, 'c1')]))[0]);
    const pair = (await held.submit(['p-0', 'p-1'].map((t) => sub(root, t, 'sleep 120', {}, 'c1')))).map(
      handle,
    );
    await updates.until(
      () => updates.all.some((u) => u.kind === 'running' && u.handle.taskId === 'outside'),
      120_000,
      () => 'the job never ran',
    );
    execFileSync('qdel', [outside.jobId, pending.jobId], { stdio: 'ignore' });
    await held.cancel(pair);
    await updates.waitEnded(['outside', 'pending', 'p-0', 'p-1'], 60_000);
    await adapter.close();
    await held.close();
    expect(updates.ended('outside')).toMatchObject({
      failure: 'cancelled',
      message: 'deleted while running (qdel)',
    });
    expect(updates.ended('pending')).toMatchObject({
      failure: 'cancelled',
      message: 'deleted while pending',
    });
    for (const t of ['p-0', 'p-1']) expect(updates.ended(t)?.failure).toBe('cancelled');
    expect(counter.log.filter((c) => c[0] === 'qdel')).toEqual([['qdel', pair[0]!.jobId.split('.')[0]!]]);
  }, 240_000);

  it('a time limit: the wrapper stops the command at it; h_rt stops one the wrapper does not limit', async () => {
    const adapter = make('t1', undefined, { killGrace: 1 });
    const updates = new Updates();
    adapter.start(updates.sink);
    const results = await adapter.submit([
      sub(root, 'slow', "trap '' TERM; sleep 60", { limit: 2 }, 't1'),
      // No limit of its own, Grid Engine's h_rt from a directive: killed with no result line.
      sub(root, 'hard', 'sleep 60', { options: { directives: ['-l h_rt=3'] } }, 't1'),
    ]);
    results.map(handle);
    await updates.waitEnded(['slow', 'hard'], 150_000);
    await adapter.close();
    const slow = updates.ended('slow')!;
    expect(slow).toMatchObject({
      failure: 'timeout',
      message: 'timed out after 2s',
      outcome: { schedulerState: 'Eqw' },
    });
    expect(slow.outcome.wallMs).toBeGreaterThanOrEqual(2000);
    expect(slow.outcome.wallMs).toBeLessThan(20_000);
    expect(updates.ended('hard')).toMatchObject({
      failure: 'timeout',
      message: 'timed out: Grid Engine killed it at h_rt=3',
      outcome: { schedulerState: 'failed 37', signal: 'SIGKILL' },
    });
  }, 180_000);

  it('memory: a job over h_vmem is killed (oom from accounting); an allocation refused under it reads oom too', async () => {
    const adapter = make('m1');
    const updates = new Updates();
    adapter.start(updates.sink);
    const mem = { resources: { ...RES, memory: 100 } };
    const results = await adapter.submit([
      // Three processes of 45 MiB each, under the per-process limit, over the job's 90 MiB. A
      // job of its own: Grid Engine's usage of an array task is not always its own here.
      sub(
        root,
        'hog',
        'for i in 1 2 3; do (head -c 45M /dev/zero; sleep 30) | tail >/dev/null & done; wait',
        { resources: { ...RES, memory: 90 } },
        'm1',
      ),
      // One process that asks for 300 MiB at once (perl is in every Debian): the address-space
      // limit refuses it before the job as a whole could go over.
      sub(root, 'big', ['perl', '-e', '$x = "a" x $ARGV[0]', '314572800'], mem, 'm1'),
      sub(root, 'nothere', ['/no/such/program', 'x'], {}, 'm1'),
    ]);
    results.map(handle);
    await updates.waitEnded(['hog', 'big', 'nothere'], 150_000);
    await adapter.close();
    expect(updates.ended('hog')).toMatchObject({
      failure: 'oom',
      message: expect.stringMatching(
        /^out of memory: Grid Engine killed it over h_vmem=90M( \(peak [\d.]+ MiB\))?$/,
      ),
      outcome: { schedulerState: 'failed 37' },
    });
    expect(updates.ended('big')).toMatchObject({
      failure: 'oom',
      message: 'out of memory: an allocation failed under h_vmem=100M (exit code 1)',
    });
    expect(readFileSync(join(root, 'runs/m1/tasks/big/1.err'), 'utf8')).toContain('Out of memory!');
    expect(updates.ended('nothere')).toMatchObject({
      failure: 'failed',
      message: 'exit code 127 (command not found)',
      outcome: { exitCode: 127 },
    });
  }, 180_000);

  it('verification inside the job: a missing output fails the attempt, and what waits for it is given up', async () => {
    const adapter = make('v1');
    const updates = new Updates();
    adapter.start(updates.sink);
    const [made, missing] = (
      await adapter.submit([
        sub(
          root,
          'made',
          'echo x > made.txt',
          { verify: { outputs: ['made.txt'], check: 'test -s made.txt' } },
          'v1',
        ),
        sub(root, 'missing', 'true', { verify: { outputs: ['never-made.txt'] } }, 'v1'),
      ])
    ).map(handle);
    const [after] = (await adapter.submit([sub(root, 'after', 'true', { after: [missing!] }, 'v1')])).map(
      handle,
    );
    await updates.waitEnded(['made', 'missing', 'after'], 150_000);
    await adapter.close();
    expect(made).toBeDefined();
    expect(updates.ended('made')).toMatchObject({ outcome: { exitCode: 0, verified: true } });
    expect(updates.ended('made')!.failure).toBeUndefined();
    expect(updates.ended('missing')).toMatchObject({
      failure: 'outputs',
      message: 'missing output never-made.txt',
      outcome: { exitCode: 0, schedulerState: 'Eqw' },
    });
    expect(updates.last('after')).toMatchObject({ kind: 'unsatisfiable', handle: { jobId: after!.jobId } });
    expect(await drained('v1')).toEqual([]);
  }, 180_000);

  it('a job Grid Engine cannot start ends failed with the reason from qstat -j and is deleted; exit 99 runs again', async () => {
    const adapter = make('e1');
    const updates = new Updates();
    adapter.start(updates.sink);
    const results = await adapter.submit([
      sub(root, 'nowhere', 'true', { options: { directives: [`-wd ${root}/no/such/dir`] } }, 'e1'),
      sub(root, 'again', 'if [ -e again.flag ]; then exit 0; fi; touch again.flag; exit 99', {}, 'e1'),
    ]);
    results.map(handle);
    await updates.waitEnded(['nowhere', 'again'], 150_000);
    await adapter.close();
    expect(updates.ended('nowhere')).toMatchObject({
      failure: 'failed',
      message: expect.stringMatching(/^Grid Engine error: .*can't .*no\/such\/dir/),
      outcome: { schedulerState: 'Eqw' },
    });
    expect(updates.ended('again')).toMatchObject({ outcome: { exitCode: 0 } });
    expect(updates.ended('again')!.failure).toBeUndefined();
    expect(readFileSync(join(root, 'runs/e1/tasks/again/1.err'), 'utf8')).toContain(
      'Grid Engine runs the job again',
    );
    expect(await drained('e1')).toEqual([]);
  }, 180_000);
});
