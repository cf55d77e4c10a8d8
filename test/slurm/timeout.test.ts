import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SlurmAdapter } from '../../src/schedulers/slurm/adapter.js';
import { assertSlurm, describeSlurm, sub, Updates } from './helpers.js';

// The one slow test: slurmctld checks time limits every 30 s, so a 1-minute limit ends the
// job 60 to 90 s after it starts. It has a file of its own so it runs beside the others.
describeSlurm('Slurm adapter: time limit, on the real cluster', () => {
  const root = mkdtempSync(join(tmpdir(), 'slurm-timeout-'));
  beforeAll(assertSlurm);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a task past its limit ends timeout, with the wrapper’s result line', async () => {
    const adapter = new SlurmAdapter({
      dir: join(root, 'slurm'),
      campaign: 'limit',
      runId: 'r1',
      pollInterval: 1,
      maxPollInterval: 5,
    });
    const updates = new Updates();
    adapter.start(updates.sink);
    const [r] = await adapter.submit([sub(root, 'slow', 'sleep 200', { limit: 60 })]);
    expect(r?.ok).toBe(true);
    await updates.waitEnded(['slow'], 140_000);
    await adapter.close();
    const ended = updates.ended('slow')!;
    expect(ended).toMatchObject({
      failure: 'timeout',
      message: 'timed out after 60s (Slurm TIMEOUT)',
      outcome: { signal: 'SIGTERM', schedulerState: 'TIMEOUT' },
    });
    expect(ended.outcome.wallMs).toBeGreaterThanOrEqual(59_000);
  }, 150_000);
});
