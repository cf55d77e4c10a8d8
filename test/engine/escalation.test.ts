import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatMemory } from '../../src/model/units.js';
import { MEMORY_TOLERANCE } from '../../src/schedulers/launcher/launch.js';
import { parseResult } from '../../src/schedulers/launcher/result.js';
import { dedent, fixtures, Rig, repo } from '../rig.js';
import { count, mask, TASK } from './helpers.js';

const HOG = join(fixtures, 'hog.sh');
const MiB = 1024 * 1024;

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => rig.cleanup());

/** One attempt as `campaign status --json` lists it. */
interface Attempt {
  n: number;
  state: string;
  failure?: string;
  requested: { cores?: number; memory_bytes?: number; limit_s?: number };
  used: { wall_s?: number; cpu_s?: number; max_rss_bytes?: number };
}

function attempts(task: string): Attempt[] {
  const r = rig.run(['status', 'c.toml', '--json']);
  expect(r.code).toBe(0);
  const t = JSON.parse(r.stdout).tasks.find((x: { id: string }) => x.id === task);
  return t.attempts;
}

/** The memory an attempt may reach before the launcher kills it, in bytes. */
const killedAbove = (requestBytes: number) => requestBytes * (1 + MEMORY_TOLERANCE);
const mib = (bytes: number) => Math.ceil(bytes / MiB);

describe('retries that escalate', () => {
  it('a timeout is retried with twice the time, and succeeds', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.slow]
        command = "${TASK} slow sleep=3"
        timeout = "2s"
        retries = { count = 1, backoff = "0s" }
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(0);
    expect(mask(r.stdout, rig)).toBe(
      dedent(`
        [t] run RUN001 of t on local: 1 task
        [t] started    slow (pid N)
        [t] failed     slow: timed out after 2s; retrying in 0s (attempt 2 with 4s after timeout at 2s)
        [t] started    slow (attempt 2) (pid N)
        [t] succeeded  slow (attempt 2) in Ns
        [t] succeeded: 1 succeeded in Ns
        requests grown after oom or timeout:
          slow: attempt 2 with 4s after timeout at 2s
      `),
    );
    expect(count(rig, 'slow')).toBe(2);
    const [first, second, ...more] = attempts('slow');
    expect(more).toEqual([]);
    expect(first).toMatchObject({ n: 1, state: 'failed', failure: 'timeout', requested: { limit_s: 2 } });
    expect(first!.used.wall_s).toBeGreaterThanOrEqual(2);
    expect(second).toMatchObject({ n: 2, state: 'succeeded', requested: { limit_s: 4 } });
    expect(second!.failure).toBeUndefined();
  });

  it('without retries a timeout stays a failure', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.slow]
        command = "${TASK} slow sleep=3"
        timeout = "1s"
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(1);
    expect(count(rig, 'slow')).toBe(1);
  });

  it('escalate sets the factors: 3.0 on the time limit; false keeps the request', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.slow]
        command = "${TASK} slow sleep=4"
        timeout = "2s"
        retries = { count = 1, backoff = "0s", escalate = { runtime = 3.0 } }
        [campaign.same]
        command = "${TASK} same sleep=4"
        timeout = "2s"
        retries = { count = 1, backoff = "0s", escalate = false }
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(1);
    expect(attempts('slow').map((a) => [a.state, a.failure, a.requested.limit_s])).toEqual([
      ['failed', 'timeout', 2],
      ['succeeded', undefined, 6],
    ]);
    expect(attempts('same').map((a) => [a.state, a.failure, a.requested.limit_s])).toEqual([
      ['failed', 'timeout', 2],
      ['failed', 'timeout', 2],
    ]);
  });

  it('escalate that is not a table of factors from 1 is a diagnostic', () => {
    rig.write(
      'c.toml',
      '[campaign]\nname = "t"\n[campaign.a]\ncommand = "true"\nretries = { count = 1, escalate = { memory = 0.5 } }\n',
    );
    const r = rig.run(['validate', 'c.toml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('c.toml:5:');
    expect(r.stderr).toContain('escalate');
  });

  it('a task over its memory request is killed, ends oom, and is retried with more memory until it fits', () => {
    // 300 MiB held for two seconds (plus node's own memory) against a request of 100M.
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.hog]
        command = "${HOG} hog 300 2"
        resources = { memory = "100M" }
        retries = { count = 3, backoff = "0s" }
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const all = attempts('hog');
    const last = all[all.length - 1]!;
    const failed = all.slice(0, -1);
    expect(all[0]).toMatchObject({
      n: 1,
      state: 'failed',
      failure: 'oom',
      requested: { memory_bytes: 100 * MiB },
    });
    expect(last).toMatchObject({ n: all.length, state: 'succeeded' });
    expect(last.failure).toBeUndefined();
    // What the task needs, measured when it was let run: 300 MiB and node.
    const need = last.used.max_rss_bytes!;
    expect(need).toBeGreaterThanOrEqual(300 * MiB);
    expect(need).toBeLessThanOrEqual(killedAbove(last.requested.memory_bytes!));
    // Each attempt that failed was killed over its request; the next asks for twice its peak
    // (the peak is larger than the request); exactly those whose request could not hold the
    // task failed.
    const lines = ['[t] run RUN001 of t on local: 1 task'];
    failed.forEach((a, i) => {
      const request = a.requested.memory_bytes!;
      const peak = a.used.max_rss_bytes!;
      expect(a).toMatchObject({ n: i + 1, state: 'failed', failure: 'oom' });
      expect(peak).toBeGreaterThan(killedAbove(request));
      expect(killedAbove(request)).toBeLessThan(need);
      const next = 2 * Math.max(mib(request), mib(peak));
      expect(all[i + 1]!.requested.memory_bytes).toBe(next * MiB);
      const label = i === 0 ? 'hog' : `hog (attempt ${i + 1})`;
      const [at, seen, grown] = [mib(request), mib(peak), next].map(formatMemory);
      lines.push(
        `[t] started    ${label} (pid N)`,
        `[t] failed     ${label}: out of memory: ${seen} resident, over its request of ${at} (killed by the launcher); retrying in 0s (attempt ${i + 2} with ${grown} after oom at ${at}, peak ${seen})`,
      );
    });
    const grown = failed.map((a, i) => {
      const [at, seen, to] = [
        mib(a.requested.memory_bytes!),
        mib(a.used.max_rss_bytes!),
        mib(all[i + 1]!.requested.memory_bytes!),
      ].map(formatMemory);
      return `attempt ${i + 2} with ${to} after oom at ${at}, peak ${seen}`;
    });
    lines.push(
      `[t] started    hog (attempt ${all.length}) (pid N)`,
      `[t] succeeded  hog (attempt ${all.length}) in Ns`,
      '[t] succeeded: 1 succeeded in Ns',
      'requests grown after oom or timeout:',
      `  hog: ${grown.join('; ')}`,
    );
    expect(mask(r.stdout, rig)).toBe(`${lines.join('\n')}\n`);
    expect(count(rig, 'hog')).toBe(all.length);
  });

  it('a task within its request, or with none, is not stopped', () => {
    rig.write(
      'c.toml',
      dedent(`
        [campaign]
        name = "t"
        [campaign.fits]
        command = "${HOG} fits 300 1"
        resources = { memory = "600M" }
        [campaign.free]
        command = "${HOG} free 300 1"
      `),
    );
    const r = rig.run(['run', 'c.toml']);
    expect(r.code).toBe(0);
    for (const t of ['fits', 'free']) {
      const [only, ...more] = attempts(t);
      expect(more).toEqual([]);
      expect(only).toMatchObject({ n: 1, state: 'succeeded' });
      expect(only!.used.max_rss_bytes).toBeGreaterThanOrEqual(300 * MiB);
    }
    expect(attempts('fits')[0]!.requested.memory_bytes).toBe(600 * MiB);
  });
});

describe.each([
  ['the C launcher', join(repo, 'libexec/campaign-exec')],
  ['the sh launcher', join(repo, 'native/campaign-exec.sh')],
])('%s enforces a memory request', (_, launcher) => {
  const run = (memoryKiB: number | undefined, argv: readonly string[]) => {
    const result = rig.path('a.result');
    const r = spawnSync(
      launcher,
      [
        result,
        rig.path('a.out'),
        rig.path('a.err'),
        '0',
        '1',
        ...(memoryKiB !== undefined ? [String(memoryKiB)] : []),
        '--',
        ...argv,
      ],
      { cwd: rig.dir, encoding: 'utf8', timeout: 50_000 },
    );
    expect(existsSync(result)).toBe(true);
    return { status: r.status, result: parseResult(readFileSync(result, 'utf8'))! };
  };
  const launch = (memoryKiB: number | undefined, mibHeld: number, seconds = 1) =>
    run(memoryKiB, [HOG, 'h', String(mibHeld), String(seconds)]);

  it('over it: the group is killed, the result line says oom and the peak', () => {
    // Held for long enough that only the kill ends it.
    const { status, result } = launch(100 * 1024, 300, 60);
    expect(status).toBe(137);
    expect(result).toMatchObject({ signal: 9, oom: true, memLimitKiB: 100 * 1024, timedOut: false });
    expect(result.maxRssKiB).toBeGreaterThan(100 * 1024 * (1 + MEMORY_TOLERANCE));
  });

  it('the group counts: two processes, each within the request, over it together', () => {
    const pair = `${HOG} a 150 60 & ${HOG} b 150 60; wait`;
    const { status, result } = run(200 * 1024, ['/bin/sh', '-c', pair]);
    expect(status).toBe(137);
    expect(result).toMatchObject({ signal: 9, oom: true, memLimitKiB: 200 * 1024 });
    expect(result.maxRssKiB).toBeGreaterThan(200 * 1024 * (1 + MEMORY_TOLERANCE));
  });

  it('within it: the command runs to its end, and its peak is recorded', () => {
    const { status, result } = launch(600 * 1024, 200);
    expect(status).toBe(0);
    expect(result).toMatchObject({ exit: 0, signal: 0, memLimitKiB: 600 * 1024 });
    expect(result.oom).toBeUndefined();
    expect(result.maxRssKiB).toBeGreaterThanOrEqual(200 * 1024);
  });

  it('without a request (the argument left out), nothing is enforced', () => {
    const { status, result } = launch(undefined, 50);
    expect(status).toBe(0);
    expect(result).toMatchObject({ exit: 0, signal: 0 });
    expect(result.memLimitKiB).toBeUndefined();
    expect(result.oom).toBeUndefined();
  });
});
