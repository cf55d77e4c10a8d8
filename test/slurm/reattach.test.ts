import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Handle } from '../../src/schedulers/contract.js';
import { SlurmAdapter } from '../../src/schedulers/slurm/adapter.js';
import { assertSlurm, countingRunner, describeSlurm, queueByName, sub, UNIQUE, Updates } from './helpers.js';

describeSlurm('Slurm adapter: a new head reattaches, on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'slurm-reattach-'));
  beforeAll(assertSlurm);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes over jobs of a dropped adapter, even one whose job id was never journaled; nothing runs twice', async () => {
    const dir = join(root, 'runs/r1/slurm');
    const count = (t: string) => join(root, `count-${t}`);
    const tasks = ['x-0', 'x-1', 'solo'];
    const first = new SlurmAdapter({ dir, campaign: `reattach-${UNIQUE}`, runId: 'r1', pollInterval: 1 });
    const seen = new Updates();
    first.start(seen.sink);
    const subs = tasks.map((t, i) =>
      sub(
        root,
        t,
        `echo run >> '${count(t)}'; sleep 3`,
        i === 2 ? { resources: { cores: 1, gpus: 0, nodes: 1, memory: 90, origins: {} } } : {},
      ),
    );
    const results = await first.submit(subs);
    const handles = results.map((r) => {
      if (!r.ok) throw new Error(r.message);
      return r.handle;
    });
    expect(seen.all.filter((u) => u.kind === 'queued')).toHaveLength(3);
    // The head dies: nothing more from this adapter.
    await first.close();
    const jobs = queueByName(`reattach-${UNIQUE}.r1.`).sort();

    // The journal had the array tasks' ids, but `solo` was recorded before its id was known,
    // and the ledger lost its job line too (the head died right after sbatch).
    const ledger = join(dir, 'submissions.tsv');
    const soloId = handles[2]!.jobId;
    writeFileSync(
      ledger,
      readFileSync(ledger, 'utf8').replace(new RegExp(`^J\\t.*\\t${soloId}\\n`, 'm'), ''),
    );
    const recorded: Handle[] = [handles[0]!, handles[1]!, { ...handles[2]!, jobId: '' }];

    const counter = countingRunner();
    const second = new SlurmAdapter({
      dir: join(root, 'runs/r2/slurm'),
      campaign: `reattach-${UNIQUE}`,
      runId: 'r2',
      pollInterval: 1,
      run: counter.run,
    });
    const updates = new Updates();
    second.start(updates.sink);
    await second.reattach(recorded);
    await updates.waitEnded(tasks, 60_000);
    await second.close();

    for (const t of tasks)
      expect(updates.ended(t), t).toMatchObject({ outcome: { exitCode: 0, schedulerState: 'COMPLETED' } });
    expect(updates.ended('solo')!.handle.jobId).toBe(soloId);
    expect(counter.calls.get('sbatch')).toBeUndefined();
    // One squeue found `solo` by its job name; the rest were poll cycles.
    expect(counter.log.filter((c) => c[0] === 'squeue' && c.includes('--name'))).toHaveLength(1);
    expect(queueByName(`reattach-${UNIQUE}.`).sort()).toEqual(jobs);
    for (const t of tasks) expect(readFileSync(count(t), 'utf8'), t).toBe('run\n');
  }, 90_000);
});
