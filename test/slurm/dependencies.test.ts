import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Handle, SubmitResult } from '../../src/schedulers/contract.js';
import { SlurmAdapter } from '../../src/schedulers/slurm/adapter.js';
import { assertSlurm, countingRunner, describeSlurm, sub, Updates } from './helpers.js';

const handles = (rs: readonly SubmitResult[]): Handle[] =>
  rs.map((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.handle;
  });

describeSlurm('Slurm adapter: dependencies on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'slurm-deps-'));
  const ts = join(root, 'ts');
  beforeAll(() => {
    assertSlurm();
    mkdirSync(ts);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A task that records its own start and end time (ms) and sleeps in between. */
  const stamp = (task: string, sleep = 1) =>
    `s=$(date +%s%3N); sleep ${sleep}; echo "$s $(date +%s%3N)" > '${ts}/${task}'`;
  const times = (task: string) =>
    readFileSync(join(ts, task), 'utf8').trim().split(' ').map(Number) as [number, number];

  it('runs an array, an aftercorr array, a funnel and a chain in order, with one squeue per poll', async () => {
    const counter = countingRunner();
    const adapter = new SlurmAdapter({
      dir: join(root, 'runs/r1/slurm'),
      campaign: 'deps',
      runId: 'r1',
      pollInterval: 1,
      maxPollInterval: 3,
      resultGrace: 3,
      run: counter.run,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    // As the engine would: each level as soon as the level above is handed over.
    const gen = handles(await adapter.submit([0, 1, 2].map((i) => sub(root, `gen-${i}`, stamp(`gen-${i}`)))));
    const proc = handles(
      await adapter.submit(
        [0, 1, 2].map((i) => sub(root, `proc-${i}`, stamp(`proc-${i}`), { after: [gen[i]!] })),
      ),
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
    const all = ['gen-0', 'gen-1', 'gen-2', 'proc-0', 'proc-1', 'proc-2', 'sum', 'report'];
    await updates.waitEnded(all, 90_000);
    await adapter.close();

    for (const t of all)
      expect(updates.ended(t), t).toMatchObject({ outcome: { exitCode: 0, schedulerState: 'COMPLETED' } });
    for (const t of all) expect(updates.ended(t)!.failure, t).toBeUndefined();
    expect(counter.calls.get('sbatch')).toBe(4);
    expect(gen.map((h) => h.arrayIndex)).toEqual([0, 1, 2]);
    const genId = gen[0]!.jobId.split('_')[0];
    const procId = proc[0]!.jobId.split('_')[0];
    expect(proc.map((h) => h.jobId)).toEqual([0, 1, 2].map((i) => `${procId}_${i}`));
    expect(sum.arrayIndex).toBeUndefined();
    const script = (h: Handle) =>
      readFileSync(join(root, 'runs/r1/slurm', `${tokenOf(counter.log, h)}.sh`), 'utf8');
    expect(script(proc[0]!)).toContain(`#SBATCH --dependency=aftercorr:${genId}\n`);
    expect(script(sum)).toContain(`#SBATCH --dependency=afterok:${procId}\n`);
    expect(script(report)).toContain(`#SBATCH --dependency=afterok:${sum.jobId}\n`);

    // Order, from the tasks' own clocks.
    for (const i of [0, 1, 2]) expect(times(`proc-${i}`)[0]).toBeGreaterThanOrEqual(times(`gen-${i}`)[1]);
    const lastProc = Math.max(...[0, 1, 2].map((i) => times(`proc-${i}`)[1]));
    expect(times('sum')[0]).toBeGreaterThanOrEqual(lastProc);
    expect(times('report')[0]).toBeGreaterThanOrEqual(times('sum')[1]);

    // Updates come in batches; every attempt was queued, then ran, then ended.
    for (const t of all) {
      const kinds = updates.all.filter((u) => u.handle.taskId === t).map((u) => u.kind);
      expect(kinds, t).toEqual(['queued', 'running', 'ended']);
    }
    // Running updates say where: the job id and the node.
    for (const u of updates.all.filter((x) => x.kind === 'running'))
      expect(u, u.handle.taskId).toMatchObject({
        where: { jobId: u.handle.jobId, host: expect.any(String) },
      });
    expect(updates.batches.length).toBeLessThan(updates.all.length);
    // Watching nine jobs in four submissions took exactly one squeue per cycle.
    expect(adapter.stats.poll.cycles).toBeGreaterThanOrEqual(3);
    expect(counter.calls.get('squeue')).toBe(adapter.stats.poll.cycles);
    expect(counter.log.filter((c) => c[0] === 'squeue').every((c) => c.includes('--jobs'))).toBe(true);
  }, 120_000);

  it('reports a failing array task; its aftercorr partner is never run, the others are', async () => {
    const adapter = new SlurmAdapter({
      dir: join(root, 'runs/r2/slurm'),
      campaign: 'deps',
      runId: 'r2',
      pollInterval: 1,
      maxPollInterval: 2,
      resultGrace: 3,
    });
    // A second adapter watches a job submitted without --kill-on-invalid-dep (as an older
    // head or a site without it would): Slurm keeps it PENDING, the adapter must cancel it.
    const counter = countingRunner();
    const keeper = new SlurmAdapter({
      dir: join(root, 'runs/r2/slurm'),
      campaign: 'deps',
      runId: 'r2k',
      pollInterval: 1,
      run: counter.run,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    keeper.start(updates.sink);
    const bad = handles(
      await adapter.submit(
        [0, 1, 2].map((i) => sub(root, `bad-${i}`, `sleep 1; exit ${i === 1 ? 3 : 0}`, {}, 'r2')),
      ),
    );
    const after = handles(
      await adapter.submit([0, 1, 2].map((i) => sub(root, `after-${i}`, 'true', { after: [bad[i]!] }, 'r2'))),
    );
    const kept = sub(root, 'kept', 'true', {}, 'r2');
    const jobId = execFileSync(
      'sbatch',
      ['--parsable', `--dependency=afterok:${bad[1]!.jobId}`, '-o', '/dev/null', '--wrap', 'true'],
      {
        encoding: 'utf8',
      },
    ).trim();
    await keeper.reattach([{ taskId: 'kept', attempt: 1, jobId, files: kept.files }]);
    await updates.waitEnded(['bad-0', 'bad-1', 'bad-2', 'after-0', 'after-1', 'after-2', 'kept'], 90_000);
    await adapter.close();
    await keeper.close();

    expect(updates.ended('bad-1')).toMatchObject({
      failure: 'failed',
      message: 'exit code 3',
      outcome: { exitCode: 3, schedulerState: 'FAILED' },
    });
    for (const t of ['bad-0', 'bad-2', 'after-0', 'after-2'])
      expect(updates.ended(t)?.failure, t).toBeUndefined();
    for (const t of ['after-1', 'kept']) {
      expect(updates.ended(t), t).toBeUndefined();
      expect(updates.unsatisfiable(t), t).toMatchObject({
        message: 'not run: an upstream job failed (DependencyNeverSatisfied)',
      });
    }
    expect(after[1]!.jobId).toBe(`${after[0]!.jobId.split('_')[0]}_1`);
    // The kept job was cancelled by the adapter, in one scancel.
    expect(counter.log.filter((c) => c[0] === 'scancel')).toEqual([['scancel', jobId]]);
    expect(
      execFileSync('squeue', ['-h', '-t', 'all', '-j', jobId, '-o', '%T|%r'], { encoding: 'utf8' }).trim(),
    ).toBe('CANCELLED|DependencyNeverSatisfied');
  }, 120_000);
});

/** The token of the script that submitted a handle's job, from the sbatch call log. */
function tokenOf(log: readonly string[][], h: Handle): string {
  // Scripts are named <token>.sh and submitted in order; job ids count up in the same order.
  const scripts = log.filter((c) => c[0] === 'sbatch').map((c) => c[c.length - 1]!);
  const dir = scripts[0]!.slice(0, scripts[0]!.lastIndexOf('/'));
  const ledger = readFileSync(join(dir, 'submissions.tsv'), 'utf8');
  const id = h.jobId.split('_')[0];
  const line = ledger.split('\n').find((l) => l.startsWith('J\t') && l.endsWith(`\t${id}`));
  if (!line) throw new Error(`no ledger line for job ${id}`);
  return line.split('\t')[1]!;
}
