import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { count, mask, TASK } from '../engine/helpers.js';
import { dedent, fixtures, Rig } from '../rig.js';
import { assertSlurm, describeSlurm, UNIQUE } from './helpers.js';

const HOG = join(fixtures, 'hog.sh');
const MiB = 1024 * 1024;

/** One attempt as `campaign status --json` lists it. */
interface Attempt {
  n: number;
  state: string;
  failure?: string;
  requested: { memory_bytes?: number; limit_s?: number };
  used?: { wall_s?: number; max_rss_bytes?: number };
}

let rig: Rig;
beforeAll(() => assertSlurm());
beforeEach(() => {
  rig = new Rig('campaign-slurm-escalation-');
});
afterEach(() => rig.cleanup());

describeSlurm('retries that escalate, on the real Slurm', () => {
  // Slurm enforces both limits here: memory by sampling the job every 2 s
  // (JobAcctGatherParams=OverMemoryKill), time limits at the controller's checks, every 30 s,
  // so a 1-minute limit ends the job 60 to 90 s after it starts.
  it('over its memory request a task ends oom and is retried with more memory; past its limit it ends timeout and is retried with more time', () => {
    const name = `esc${UNIQUE}`;
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "${name}"
        [campaign.scheduler]
        type = "slurm"
        poll_interval = "1s"
        [campaign.hog]
        command = "${HOG} hog 300 8"
        resources = { memory = "100M" }
        retries = { count = 3, backoff = "0s" }
        [campaign.slow]
        command = "${TASK} slow sleep=100"
        timeout = "1m"
        retries = { count = 1, backoff = "0s" }
      `),
    );
    const r = rig.run(['run', 'c.toml'], { timeout: 420_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const status = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout);
    const attempts = (id: string): Attempt[] =>
      status.tasks.find((t: { id: string }) => t.id === id).attempts;

    // Memory: each failed attempt ended oom; the next asks for twice its request, or twice
    // its peak where the peak is known and larger (Slurm's kill takes the job's wrapper
    // with it, so the peak is known only where accounting records it).
    const hog = attempts('hog');
    const last = hog[hog.length - 1]!;
    expect(hog[0]).toMatchObject({
      n: 1,
      state: 'failed',
      failure: 'oom',
      requested: { memory_bytes: 100 * MiB },
    });
    expect(last).toMatchObject({ n: hog.length, state: 'succeeded' });
    expect(last.failure).toBeUndefined();
    const need = last.used!.max_rss_bytes!;
    expect(need).toBeGreaterThanOrEqual(300 * MiB);
    expect(need).toBeLessThanOrEqual(last.requested.memory_bytes!);
    const steps: string[] = [];
    hog.slice(0, -1).forEach((a, i) => {
      const request = a.requested.memory_bytes! / MiB;
      const peak = a.used?.max_rss_bytes !== undefined ? Math.ceil(a.used.max_rss_bytes / MiB) : 0;
      expect(a).toMatchObject({ n: i + 1, state: 'failed', failure: 'oom' });
      expect(a.requested.memory_bytes).toBeLessThan(need);
      const next = 2 * Math.max(request, peak);
      expect(hog[i + 1]!.requested.memory_bytes).toBe(next * MiB);
      const label = i === 0 ? 'hog' : `hog (attempt ${i + 1})`;
      const seen = peak > request ? `, peak ${peak}M` : '';
      steps.push(
        `[t] failed     ${label}: out of memory: Slurm killed it over its memory limit (FAILED); retrying in 0s (attempt ${i + 2} with ${next}M after oom at ${request}M${seen})`,
      );
    });
    steps.push(`[t] succeeded  hog (attempt ${hog.length}) in Ns`);
    expect(count(rig, 'hog')).toBe(hog.length);

    // Time: one timeout at 1m, then 2m, in which the task's 100 s fit.
    const slow = attempts('slow');
    expect(slow).toHaveLength(2);
    expect(slow[0]).toMatchObject({ n: 1, state: 'failed', failure: 'timeout', requested: { limit_s: 60 } });
    expect(slow[1]).toMatchObject({ n: 2, state: 'succeeded', requested: { limit_s: 120 } });
    expect(slow[1]!.failure).toBeUndefined();
    expect(count(rig, 'slow')).toBe(2);

    const ends = mask(r.stdout, rig)
      .split('\n')
      // Durations past a minute read 1m41s.
      .map((l) => l.replace(/ in \d+m\d+s$/, ' in Ns'))
      .filter((l) => /^\[t\] (failed|succeeded)[ :]/.test(l));
    expect(ends.filter((l) => / hog[ :]/.test(l))).toEqual(steps);
    expect(ends.filter((l) => / slow[ :]/.test(l))).toEqual([
      '[t] failed     slow: timed out after 60s (Slurm TIMEOUT); retrying in 0s (attempt 2 with 2m after timeout at 1m)',
      '[t] succeeded  slow (attempt 2) in Ns',
    ]);
    expect(ends[ends.length - 1]).toBe('[t] succeeded: 2 succeeded in Ns');
  }, 450_000);

  it("escalation stops at the memory of the task's partition in the cluster description", () => {
    const name = `cap${UNIQUE}`;
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "${name}"
        [campaign.scheduler]
        type = "slurm"
        poll_interval = "1s"
        [campaign.cluster]
        name = "local"
        scheduler = "slurm"
        [[campaign.cluster.partitions]]
        name = "debug"
        nodes = 1
        cores_per_node = 1
        memory_per_node = "150M"
        [campaign.hog]
        command = "${HOG} hog 300 8"
        resources = { memory = "100M" }
        retries = { count = 3, backoff = "0s" }
      `),
    );
    const r = rig.run(['run', 'c.toml'], { timeout: 300_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const status = JSON.parse(rig.run(['status', 'c.toml', '--json']).stdout);
    const hog: Attempt[] = status.tasks.find((t: { id: string }) => t.id === 'hog').attempts;
    // 100M, then twice that capped at the partition's 150M; at the limit it stops.
    expect(hog.map((a) => [a.state, a.failure, a.requested.memory_bytes! / MiB])).toEqual([
      ['failed', 'oom', 100],
      ['failed', 'oom', 150],
    ]);
    expect(mask(r.stdout, rig)).toContain("cannot escalate: at the partition's limit (150M of memory)");
    expect(count(rig, 'hog')).toBe(2);
  }, 300_000);
});
