import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CommandRunner } from '../../src/schedulers/batch/runner.js';
import type { Handle, SubmitResult } from '../../src/schedulers/contract.js';
import { SlurmAdapter } from '../../src/schedulers/slurm/adapter.js';
import {
  assertSlurm,
  countingRunner,
  describeSlurm,
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

describeSlurm('Slurm adapter: how jobs end, on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'slurm-outcomes-'));
  beforeAll(assertSlurm);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const make = (runId: string, run?: CommandRunner, extra: object = {}) =>
    new SlurmAdapter({
      dir: join(root, 'runs', runId, 'slurm'),
      campaign: `outcomes-${UNIQUE}`,
      runId,
      pollInterval: 1,
      maxPollInterval: 2,
      resultGrace: 3,
      retryBackoff: 200,
      ...(run ? { run } : {}),
      ...extra,
    });

  it.concurrent('cancellation: scancel from outside, and adapter.cancel of a whole array in one call', async () => {
    const counter = countingRunner();
    const adapter = make('c1', counter.run);
    const updates = new Updates();
    adapter.start(updates.sink);
    const outside = handle((await adapter.submit([sub(root, 'outside', 'sleep 120', {}, 'c1')]))[0]);
    // Held, so both stay pending until cancelled: cancelling must not wait for them to run.
    const held = make('c1h', counter.run, { sbatchArgs: ['--hold'] });
    held.start(updates.sink);
    const pair = (await held.submit(['p-0', 'p-1'].map((t) => sub(root, t, 'sleep 120', {}, 'c1')))).map(
      handle,
    );
    await updates.until(
      () => updates.all.some((u) => u.kind === 'running' && u.handle.taskId === 'outside'),
      60_000,
      () => 'the job never ran',
    );
    execFileSync('scancel', [outside.jobId]);
    await held.cancel(pair);
    await updates.waitEnded(['outside', 'p-0', 'p-1'], 30_000);
    await adapter.close();
    await held.close();
    expect(updates.ended('outside')).toMatchObject({
      failure: 'cancelled',
      outcome: { schedulerState: 'CANCELLED' },
    });
    for (const t of ['p-0', 'p-1']) expect(updates.ended(t)?.failure).toBe('cancelled');
    const arrayId = pair[0]!.jobId.split('_')[0];
    expect(counter.log.filter((c) => c[0] === 'scancel')).toEqual([['scancel', arrayId]]);
  }, 90_000);

  it.concurrent('a task over its memory limit ends oom; a missing program ends failed with 127', async () => {
    const adapter = make('m1');
    const updates = new Updates();
    adapter.start(updates.sink);
    // tail keeps a line in memory: 600 MiB without a newline, held for 20 s (Slurm samples
    // memory every 2 s here), against a 60 MiB limit.
    const results = await adapter.submit([
      sub(
        root,
        'hog',
        '(head -c 600M /dev/zero; sleep 20) | tail >/dev/null',
        { resources: { ...RES, memory: 60 } },
        'm1',
      ),
      sub(root, 'nothere', ['/no/such/program', 'x'], {}, 'm1'),
    ]);
    results.map(handle);
    await updates.waitEnded(['hog', 'nothere'], 60_000);
    await adapter.close();
    expect(updates.ended('hog')).toMatchObject({ failure: 'oom', outcome: { schedulerState: 'FAILED' } });
    expect(updates.ended('nothere')).toMatchObject({
      failure: 'failed',
      message: 'exit code 127 (command not found)',
      outcome: { exitCode: 127, schedulerState: 'FAILED' },
    });
  }, 90_000);

  it.concurrent('a transient sbatch error is retried, and a job it let through is not submitted twice', async () => {
    const timeout = {
      exitCode: 1,
      stdout: '',
      stderr: 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation',
    };
    // First adapter: the controller never saw the first try. Second: it took the job, but
    // the answer was lost; the adapter must find the job by its name instead of resubmitting.
    const lost = countingRunner();
    let failLost = true;
    const refused: CommandRunner = async (cmd, args, opts) => {
      if (cmd === 'sbatch' && failLost) {
        failLost = false;
        return timeout;
      }
      return lost.run(cmd, args, opts);
    };
    const through = countingRunner();
    let failThrough = true;
    const accepted: CommandRunner = async (cmd, args, opts) => {
      const r = await through.run(cmd, args, opts);
      if (cmd === 'sbatch' && failThrough) {
        failThrough = false;
        return timeout;
      }
      return r;
    };
    const a = make('t1', refused);
    const b = make('t2', accepted);
    const updates = new Updates();
    a.start(updates.sink);
    b.start(updates.sink);
    const [ha] = (await a.submit([sub(root, 'first', 'true', {}, 't1')])).map(handle);
    const [hb] = (await b.submit([sub(root, 'second', 'true', {}, 't2')])).map(handle);
    await updates.waitEnded(['first', 'second'], 60_000);
    await a.close();
    await b.close();
    expect(lost.calls.get('sbatch')).toBe(1);
    expect(through.calls.get('sbatch')).toBe(1);
    expect(queueByName(`outcomes-${UNIQUE}.t1.`)).toEqual([ha!.jobId]);
    expect(queueByName(`outcomes-${UNIQUE}.t2.`)).toEqual([hb!.jobId]);
    for (const t of ['first', 'second']) expect(updates.ended(t)?.failure).toBeUndefined();
  }, 90_000);
});
