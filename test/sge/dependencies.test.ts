import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Handle, SubmitResult } from '../../src/schedulers/contract.js';
import { SgeAdapter } from '../../src/schedulers/sge/adapter.js';
import { assertSge, cleanQueue, countingRunner, describeSge, sub, UNIQUE, Updates } from './helpers.js';

const handles = (rs: readonly SubmitResult[]): Handle[] =>
  rs.map((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.handle;
  });

describeSge('Grid Engine adapter: dependencies on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'sge-deps-'));
  const ts = join(root, 'ts');
  const campaign = `deps-${UNIQUE}`;
  beforeAll(() => {
    assertSge();
    mkdirSync(ts);
  });
  afterAll(() => {
    cleanQueue(`${campaign}.`);
    rmSync(root, { recursive: true, force: true });
  });

  /** A task that records its own start and end time (ms) and sleeps in between. */
  const stamp = (task: string, sleep = 1) =>
    `s=$(date +%s%3N); sleep ${sleep}; echo "$s $(date +%s%3N)" > '${ts}/${task}'`;
  const times = (task: string) =>
    readFileSync(join(ts, task), 'utf8').trim().split(' ').map(Number) as [number, number];
  /** The qsub argv a job's script was submitted with (its header comment). */
  const submittedWith = (dir: string, jobId: string) => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.sh'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      const line = text.split('\n')[3]!;
      const ledger = readFileSync(join(dir, 'submissions.tsv'), 'utf8');
      if (ledger.includes(`J\t${f.slice(0, -3)}\t${jobId.split('.')[0]}\n`)) return line;
    }
    return '';
  };

  it('a throttled fan-out, -hold_jid_ad instance to instance, a funnel and a chain, in order, one qstat a cycle', async () => {
    const counter = countingRunner();
    const dir = join(root, 'runs/r1/sge');
    const adapter = new SgeAdapter({
      dir,
      campaign,
      runId: 'r1',
      pollInterval: 1,
      maxPollInterval: 2,
      resultGrace: 3,
      run: counter.run,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    const N = [0, 1, 2];
    // As the engine would: each level as soon as the level above is handed over.
    const gen = handles(
      await adapter.submit(
        N.map((i) => sub(root, `gen-${i}`, stamp(`gen-${i}`), { throttle: { key: 'gen', max: 1 } })),
      ),
    );
    const proc = handles(
      await adapter.submit(N.map((i) => sub(root, `proc-${i}`, stamp(`proc-${i}`), { after: [gen[i]!] }))),
    );
    // The funnel and the job after it in one batch: `report` names `sum` by an empty job id.
    const sumSub = sub(root, 'sum', stamp('sum'), { after: proc });
    const [sum, report] = handles(
      await adapter.submit([
        sumSub,
        sub(root, 'report', stamp('report', 0), {
          after: [{ taskId: 'sum', attempt: 1, jobId: '', files: sumSub.files }],
        }),
      ]),
    ) as [Handle, Handle];
    const all = [...N.map((i) => `gen-${i}`), ...N.map((i) => `proc-${i}`), 'sum', 'report'];
    await updates.waitEnded(all, 240_000);
    await adapter.close();

    for (const t of all)
      expect(updates.ended(t), t).toMatchObject({ outcome: { exitCode: 0, schedulerState: 'finished' } });
    for (const t of all) expect(updates.ended(t)!.failure, t).toBeUndefined();
    expect(counter.calls.get('qsub')).toBe(4);
    // Array tasks count from 1.
    expect(gen.map((h) => h.arrayIndex)).toEqual([1, 2, 3]);
    const genId = gen[0]!.jobId.split('.')[0];
    const procId = proc[0]!.jobId.split('.')[0];
    expect(proc.map((h) => h.jobId)).toEqual([1, 2, 3].map((i) => `${procId}.${i}`));
    expect(submittedWith(dir, gen[0]!.jobId)).toContain(' -t 1-3 -tc 1 ');
    expect(submittedWith(dir, proc[0]!.jobId)).toContain(` -t 1-3 -hold_jid_ad ${genId} `);
    expect(submittedWith(dir, sum.jobId)).toContain(` -hold_jid ${procId} `);
    expect(submittedWith(dir, report.jobId)).toContain(` -hold_jid ${sum.jobId} `);

    // Order, from the tasks' own clocks.
    for (const i of N)
      expect(times(`proc-${i}`)[0], `proc-${i}`).toBeGreaterThanOrEqual(times(`gen-${i}`)[1]);
    for (const i of N) expect(times('sum')[0]).toBeGreaterThanOrEqual(times(`proc-${i}`)[1]);
    expect(times('report')[0]).toBeGreaterThanOrEqual(times('sum')[1]);
    // -tc 1: no two tasks of the fan-out at once.
    const spans = N.map((i) => times(`gen-${i}`)).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // One qstat per poll cycle, whatever else happened.
    expect(counter.calls.get('qstat')).toBe(adapter.stats.poll.cycles);
  }, 300_000);

  it('waits for the whole upstream array when not every task of it has its dependent here', async () => {
    const counter = countingRunner();
    const dir = join(root, 'runs/r2/sge');
    const adapter = new SgeAdapter({
      dir,
      campaign,
      runId: 'r2',
      pollInterval: 1,
      maxPollInterval: 2,
      resultGrace: 3,
      run: counter.run,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    const up = handles(
      await adapter.submit([0, 1, 2].map((i) => sub(root, `u-${i}`, stamp(`u-${i}`), {}, 'r2'))),
    );
    // Two of three: -hold_jid_ad would be refused (the ranges differ); the whole array it is.
    const down = handles(
      await adapter.submit(
        [1, 2].map((i) => sub(root, `d-${i}`, stamp(`d-${i}`, 0), { after: [up[i]!] }, 'r2')),
      ),
    );
    await updates.waitEnded(['u-0', 'u-1', 'u-2', 'd-1', 'd-2'], 180_000);
    await adapter.close();
    for (const t of ['u-0', 'u-1', 'u-2', 'd-1', 'd-2']) expect(updates.ended(t)?.failure, t).toBeUndefined();
    const upId = up[0]!.jobId.split('.')[0];
    expect(down.map((h) => h.arrayIndex)).toEqual([1, 2]);
    expect(submittedWith(dir, down[0]!.jobId)).toContain(` -t 1-2 -hold_jid ${upId} `);
    const lastUp = Math.max(...[0, 1, 2].map((i) => times(`u-${i}`)[1]));
    for (const i of [1, 2]) expect(times(`d-${i}`)[0]).toBeGreaterThanOrEqual(lastUp);
  }, 240_000);
});
