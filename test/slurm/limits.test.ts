import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CommandRunner, execaRunner } from '../../src/schedulers/batch/runner.js';
import type { Handle } from '../../src/schedulers/contract.js';
import { SlurmAdapter } from '../../src/schedulers/slurm/adapter.js';
import { assertSlurm, countingRunner, describeSlurm, sub, Updates } from './helpers.js';

describeSlurm('Slurm adapter: cluster limits, on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'slurm-limits-'));
  beforeAll(assertSlurm);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('splits a fan-out at MaxArraySize-1 tasks and at the script size limit, throttles, and cancels it', async () => {
    // The real controller, with smaller limits than this cluster's.
    const real = execaRunner();
    const small: CommandRunner = async (cmd, args, opts) => {
      const r = await real(cmd, args, opts);
      if (cmd !== 'scontrol') return r;
      const stdout = r.stdout
        .replace(/^MaxArraySize\s*=.*$/m, 'MaxArraySize = 26')
        .replace(/^SchedulerParameters\s*=(.*)$/m, 'SchedulerParameters = $1,max_script_size=6500');
      return { ...r, stdout };
    };
    const counter = countingRunner(small);
    const adapter = new SlurmAdapter({
      dir: join(root, 'slurm'),
      campaign: 'limits',
      runId: 'r1',
      pollInterval: 1,
      sbatchArgs: ['--hold'],
      run: counter.run,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    const ids = Array.from({ length: 60 }, (_, i) => `f-${i}`);
    const results = await Promise.all(
      ids.map((t) =>
        adapter.submit([sub(root, t, `echo ${t}`, { throttle: { key: 'f', max: 3 } })]).then((r) => r[0]!),
      ),
    );
    const handles = results.map((r): Handle => {
      if (!r.ok) throw new Error(r.message);
      return r.handle;
    });
    const scripts = counter.log.filter((c) => c[0] === 'sbatch').map((c) => c[c.length - 1]!);
    // 25 tasks fit an array, but 6500 bytes hold fewer: more than three scripts, each small.
    expect(scripts.length).toBeGreaterThan(3);
    for (const s of scripts) {
      const text = readFileSync(s, 'utf8');
      expect(text.length).toBeLessThanOrEqual(6500);
      expect(text).toMatch(/^#SBATCH --array=0-\d+%3$/m);
    }
    const arrays = new Set(handles.map((h) => h.jobId.split('_')[0]));
    expect(arrays.size).toBe(scripts.length);
    expect(Math.max(...handles.map((h) => h.arrayIndex!))).toBeLessThan(25);
    await adapter.cancel(handles);
    await updates.waitEnded(ids, 30_000);
    await adapter.close();
    expect(ids.every((t) => updates.ended(t)?.failure === 'cancelled')).toBe(true);
    // One scancel, naming each array once.
    const cancels = counter.log.filter((c) => c[0] === 'scancel');
    expect(cancels).toHaveLength(1);
    expect(cancels[0]!.slice(1).sort()).toEqual([...arrays].sort());
  }, 60_000);
});
