import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { type CommandRunner, execaRunner } from '../../src/schedulers/batch/runner.js';
import type { Handle, SubmitResult } from '../../src/schedulers/contract.js';
import { SgeAdapter } from '../../src/schedulers/sge/adapter.js';
import {
  assertSge,
  cleanQueue,
  countingRunner,
  describeSge,
  queueByName,
  RES,
  stateOf,
  sub,
  UNIQUE,
  Updates,
  waitFor,
} from './helpers.js';

/** A command that runs until the test opens its gate (a file), at most ten minutes. */
const held = (gate: string) =>
  `i=0; while [ ! -e '${gate}' ] && [ $i -lt 3000 ]; do sleep 0.2; i=$((i+1)); done`;

const handles = (rs: readonly SubmitResult[]): Handle[] =>
  rs.map((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.handle;
  });
/** A promise that never settles: the head that waits for it is as good as dead. */
const never = <T>() => new Promise<T>(() => {});

describeSge('a new head after the old one was dropped mid-submission to Grid Engine', () => {
  const root = mkdtempSync(join(tmpdir(), 'sge-reattach-'));
  const campaign = `reat-${UNIQUE}`;
  beforeAll(assertSge);
  afterAll(() => {
    cleanQueue(`${campaign}.`);
    rmSync(root, { recursive: true, force: true });
  });

  const make = (runId: string, run: CommandRunner) =>
    new SgeAdapter({
      dir: join(root, 'runs', runId, 'sge'),
      campaign,
      runId,
      pollInterval: 1,
      maxPollInterval: 2,
      resultGrace: 3,
      run,
    });
  /** The handles the engine journals before a submission returns: no job id yet. */
  const unnamed = (subs: readonly { taskId: string; attempt: number; files: Handle['files'] }[]): Handle[] =>
    subs.map((s) => ({ taskId: s.taskId, attempt: s.attempt, jobId: '', files: s.files }));
  const ledger = (runId: string) => {
    const path = join(root, 'runs', runId, 'sge', 'submissions.tsv');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };

  it('qsub took the job but the head never heard: found by name, nothing submitted twice; a job never handed over is lost', async () => {
    const counter = countingRunner();
    // The first qsub goes through, then its answer never comes back; nothing else is run.
    let dead = false;
    const dying: CommandRunner = async (cmd, args, opts) => {
      if (dead) return never();
      const r = await counter.run(cmd, args, opts);
      if (cmd === 'qsub') {
        dead = true;
        return never();
      }
      return r;
    };
    const old = make('r1', dying);
    old.start(() => {});
    // Two scripts: an array of two (held by a gate until the new head has found them in the
    // queue), and a job with another request.
    const gate = join(root, 'gate-r1');
    const subs = [
      sub(root, 'a-0', held(gate), {}, 'r1'),
      sub(root, 'a-1', held(gate), {}, 'r1'),
      sub(root, 'b', 'true', { resources: { ...RES, memory: 300 } }, 'r1'),
    ];
    void old.submit(subs);
    await waitFor(() => dead, 60_000, 'the first qsub');
    expect(ledger('r1')).not.toMatch(/^J\t/m);

    const fresh = countingRunner();
    const head = make('r2', fresh.run);
    const updates = new Updates();
    head.start(updates.sink);
    await head.reattach(unnamed(subs));
    writeFileSync(gate, '');
    await updates.waitEnded(['a-0', 'a-1', 'b'], 120_000);
    await head.close();
    expect(counter.calls.get('qsub')).toBe(1);
    expect(fresh.calls.get('qsub') ?? 0).toBe(0);
    const queued = updates.all.filter((u) => u.kind === 'queued').map((u) => u.handle.jobId);
    expect(queued).toHaveLength(2);
    expect(queued[0]).toMatch(/^\d+\.1$/);
    for (const t of ['a-0', 'a-1']) expect(updates.ended(t)).toMatchObject({ outcome: { exitCode: 0 } });
    expect(updates.ended('b')).toMatchObject({
      failure: 'lost',
      message: 'no Grid Engine job was found for this attempt',
    });
    expect(queueByName(`${campaign}.r1.`)).toEqual([]);
  }, 180_000);

  it('the old head died while its qsub was still under way: the new head waits for that qsub and adopts its job', async () => {
    const counter = countingRunner();
    const log = join(root, 'qsub-r3.log');
    // A qsub that takes 3 s and outlives its head, as a process of its own.
    const slow: CommandRunner = async (cmd, args, opts) => {
      if (cmd !== 'qsub') return counter.run(cmd, args, opts);
      counter.calls.set('qsub', (counter.calls.get('qsub') ?? 0) + 1);
      spawn('sh', ['-c', `sleep 3; qsub "$@" >>'${log}' 2>&1`, 'sh', ...args], {
        stdio: 'ignore',
        detached: true,
      }).unref();
      return never();
    };
    const old = make('r3', slow);
    old.start(() => {});
    const gate = join(root, 'gate-r3');
    const subs = [sub(root, 'c-0', held(gate), {}, 'r3'), sub(root, 'c-1', held(gate), {}, 'r3')];
    void old.submit(subs);
    await waitFor(() => counter.calls.get('qsub') === 1, 60_000, 'the qsub to start');
    expect(existsSync(log)).toBe(false);

    const head = make('r4', execaRunner());
    const updates = new Updates();
    head.start(updates.sink);
    await head.reattach(unnamed(subs));
    // The lookup waited for the dead head's qsub to finish, then found its job.
    expect(readFileSync(log, 'utf8')).toMatch(/^\d+\.1-2:1$/m);
    writeFileSync(gate, '');
    await updates.waitEnded(['c-0', 'c-1'], 120_000);
    await head.close();
    for (const t of ['c-0', 'c-1']) expect(updates.ended(t)).toMatchObject({ outcome: { exitCode: 0 } });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
  }, 180_000);

  it('with no head, a failed job waits in Eqw and holds its dependent; the next head reports both and deletes the dependent first', async () => {
    const first = make('r5', execaRunner());
    first.start(() => {});
    const badSub = sub(root, 'bad', 'exit 1', {}, 'r5');
    const [bad, dep] = handles(
      await first.submit([
        badSub,
        sub(
          root,
          'dep',
          'true',
          { after: [{ taskId: 'bad', attempt: 1, jobId: '', files: badSub.files }] },
          'r5',
        ),
      ]),
    ) as [Handle, Handle];
    // The head goes away; the jobs go on without it.
    await first.close();
    await waitFor(() => stateOf(bad.jobId) === 'Eqw', 120_000, 'the failed job to wait in Eqw');
    expect(stateOf(dep.jobId)).toBe('hqw');

    const counter = countingRunner();
    const head = make('r6', counter.run);
    const updates = new Updates();
    head.start(updates.sink);
    await head.reattach([bad, dep]);
    expect(updates.ended('bad')).toMatchObject({
      failure: 'failed',
      message: 'exit code 1',
      outcome: { exitCode: 1 },
    });
    expect(updates.last('dep')).toMatchObject({
      kind: 'unsatisfiable',
      message: expect.stringContaining('bad'),
    });
    expect(counter.log.filter((c) => c[0] === 'qdel')).toEqual([['qdel', dep.jobId, bad.jobId]]);
    await head.close();
    await waitFor(() => queueByName(`${campaign}.r5.`).length === 0, 30_000, 'both jobs to be deleted');
    expect(existsSync(dep.files.result)).toBe(false);
  }, 180_000);
});
