import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Handle } from '../../src/schedulers/contract.js';
import { judge, type LaunchResult, parseResult } from '../../src/schedulers/launcher/result.js';
import { expandJobId } from '../../src/schedulers/slurm/array-spec.js';
import { scancelTargets } from '../../src/schedulers/slurm/cancel.js';
import { parseConfig } from '../../src/schedulers/slurm/cluster.js';
import { type Group, groupSubmissions, type Pending } from '../../src/schedulers/slurm/group.js';
import { verdict } from '../../src/schedulers/slurm/outcome.js';
import { defaultLocate } from '../../src/schedulers/slurm/reattach.js';
import { parseQueue } from '../../src/schedulers/slurm/squeue.js';
import { StatePaths } from '../../src/state/paths.js';
import { RES, sub } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'slurm-logic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const h = (taskId: string, jobId: string, arrayIndex?: number): Handle => ({
  taskId,
  attempt: 1,
  jobId,
  ...(arrayIndex !== undefined ? { arrayIndex } : {}),
  files: { out: '', err: '', result: '' },
});
const arrayHandles = (id: string, n: number) =>
  Array.from({ length: n }, (_, i) => h(`u-${id}-${i}`, `${id}_${i}`, i));
const members = (known: Record<string, number>) => (id: string) =>
  known[id] === undefined ? undefined : new Set(Array.from({ length: known[id]! }, (_, i) => i));
const pending = (n: number, after: (i: number) => Handle[] = () => [], extra = {}): Pending[] =>
  Array.from({ length: n }, (_, i) => ({
    position: i,
    submission: sub(root, `t-${i}`, 'true', extra),
    after: after(i),
  }));
const shape = (groups: Group[]) =>
  groups.map((g) => ({ array: g.array, dependency: g.dependency, indices: g.members.map((m) => m.index) }));

describe('grouping submissions into arrays', () => {
  it('puts equal requests in one array, splits on a different request, and chunks', () => {
    const batch = [
      ...pending(5),
      ...pending(2, () => [], { resources: { ...RES, memory: 200 } }).map((p) => ({
        ...p,
        position: p.position + 5,
      })),
    ];
    expect(shape(groupSubmissions(batch, members({}), 3))).toEqual([
      { array: true, dependency: undefined, indices: [0, 1, 2] },
      { array: true, dependency: undefined, indices: [0, 1] },
      { array: true, dependency: undefined, indices: [0, 1] },
    ]);
    expect(shape(groupSubmissions(pending(1), members({}), 3))).toEqual([
      { array: false, dependency: undefined, indices: [0] },
    ]);
  });

  it('waits task-to-task with aftercorr and the upstream indices; a repeated index splits', () => {
    const up = arrayHandles('50', 4);
    const batch = pending(4, (i) => [up[3 - i]!]);
    expect(shape(groupSubmissions(batch, members({ 50: 4 }), 100))).toEqual([
      { array: true, dependency: 'aftercorr:50', indices: [0, 1, 2, 3] },
    ]);
    // Two arrays at the same index: aftercorr on both. Two tasks after the same upstream task: two arrays.
    const other = arrayHandles('60', 2);
    expect(
      shape(
        groupSubmissions(
          pending(2, (i) => [up[i]!, other[i]!]),
          members({}),
          100,
        ),
      )[0]!.dependency,
    ).toBe('aftercorr:50:60');
    expect(
      shape(
        groupSubmissions(
          pending(3, (i) => [up[i === 2 ? 0 : i]!]),
          members({}),
          100,
        ),
      ),
    ).toEqual([
      { array: true, dependency: 'aftercorr:50', indices: [0, 1] },
      { array: false, dependency: 'afterok:50_0', indices: [0] },
    ]);
  });

  it('waits for a whole array by its id when every task of it is upstream, else for the tasks', () => {
    const up = arrayHandles('70', 3);
    expect(
      shape(
        groupSubmissions(
          pending(1, () => up),
          members({ 70: 3 }),
          100,
        ),
      ),
    ).toEqual([{ array: false, dependency: 'afterok:70', indices: [0] }]);
    expect(
      shape(
        groupSubmissions(
          pending(2, () => [up[0]!, up[2]!, h('p', '9')]),
          members({ 70: 3 }),
          100,
        ),
      ),
    ).toEqual([{ array: true, dependency: 'afterok:9:70_0:70_2', indices: [0, 1] }]);
  });
});

describe('reading Slurm', () => {
  it('parses squeue rows, folded pending ranges and wait statuses', () => {
    const rows = parseQueue(
      '55_[2-3,5%2]|PENDING|JobArrayTaskLimit|0||\n51_2|FAILED|NonZeroExitCode|512|vm|\n52|CANCELLED by 0|None|9|vm|\n',
    );
    expect(rows.map((r) => r.jobId)).toEqual(['55_2', '55_3', '55_5', '51_2', '52']);
    expect(rows[3]).toMatchObject({ state: 'FAILED', exit: { code: 2, signal: 0 }, host: 'vm' });
    expect(rows[4]).toMatchObject({ state: 'CANCELLED', exit: { code: 0, signal: 9 } });
    expect(expandJobId('7')).toEqual(['7']);
  });

  it('reads the limits from scontrol show config', () => {
    const text =
      'MaxArraySize            = 100001\nMinJobAge = 600 sec\nSchedulerParameters = bf_interval=1,max_array_tasks=5000,max_script_size=1048576\nAccountingStorageType   = accounting_storage/slurmdbd\n';
    expect(parseConfig(text)).toEqual({
      maxArraySize: 100001,
      maxArrayTasks: 5000,
      maxScriptBytes: 1048576,
      minJobAge: 600,
      accounting: true,
    });
  });

  it('maps final states to failure kinds, Slurm first, the result line for numbers', () => {
    const ok: LaunchResult = {
      exit: 0,
      signal: 0,
      timedOut: false,
      cancelled: false,
      wallMs: 5,
      cpuMs: 1,
      startMs: 1,
    };
    const term: LaunchResult = { ...ok, exit: -1, signal: 15 };
    const v = (state: string | undefined, extra: object = {}) =>
      verdict({ memoryKilled: false, ...(state ? { state } : {}), ...extra });
    expect(v('COMPLETED', { result: ok })).toEqual({
      outcome: { exitCode: 0, wallMs: 5, cpuMs: 1, schedulerState: 'COMPLETED' },
    });
    expect(v('FAILED', { result: { ...ok, exit: 4 } })).toMatchObject({
      failure: 'failed',
      message: 'exit code 4',
    });
    expect(v('TIMEOUT', { result: term, limit: 60 })).toMatchObject({
      failure: 'timeout',
      outcome: { signal: 'SIGTERM' },
    });
    expect(v('DEADLINE').failure).toBe('timeout');
    expect(v('OUT_OF_MEMORY').failure).toBe('oom');
    expect(v('FAILED', { exit: { code: 0, signal: 9 }, memoryKilled: true }).failure).toBe('oom');
    expect(v('FAILED', { exit: { code: 0, signal: 9 } })).toMatchObject({
      failure: 'failed',
      outcome: { signal: 'SIGKILL' },
    });
    expect(v('NODE_FAIL').failure).toBe('node_fail');
    expect(v('BOOT_FAIL').failure).toBe('node_fail');
    expect(v('PREEMPTED').failure).toBe('preempted');
    expect(v('CANCELLED', { result: term }).failure).toBe('cancelled');
    expect(v('CANCELLED', { reason: 'DependencyNeverSatisfied' })).toMatchObject({
      failure: 'cancelled',
      outcome: { schedulerState: 'DependencyNeverSatisfied' },
    });
    expect(v(undefined)).toMatchObject({ failure: 'lost' });
    expect(v(undefined, { result: ok }).failure).toBeUndefined();
  });
});

describe('cancelling', () => {
  it('names a whole array when all its watched tasks go, else the tasks, in one list', () => {
    const watched = ['80_0', '80_1', '81_0', '81_1', '81_2', '82'];
    const targets = scancelTargets(
      [h('a', '80_0', 0), h('b', '80_1', 1), h('c', '81_0', 0), h('d', '81_2', 2), h('e', '82')],
      watched,
    );
    expect(targets.sort()).toEqual(['80', '81_[0,2]', '82']);
  });
});

describe('reattach and the result line', () => {
  it('finds the slurm folder of the run that wrote an attempt, with the state layout the binary uses', () => {
    const paths = StatePaths.forCampaign(join(root, 'c.toml'));
    const run = '20261201_120000_run007';
    for (const task of ['prep', 'gen[12]', 'g.sub.leaf']) {
      const files = paths.attempt(run, task, 3);
      expect(defaultLocate({ taskId: task, attempt: 3, jobId: '', files })).toBe(
        join(paths.run(run), 'slurm'),
      );
    }
  });

  it('reads verification from the result line: verified, missing outputs by name, a failed check', () => {
    const line = (extra: string) =>
      `v1 exit=0 signal=0 timedout=0 cancelled=0 wall_ms=7 cpu_ms=2 maxrss_kib=900 start_ms=1 pid=4${extra}\n`;
    expect(judge(parseResult(line(''))!)).toEqual({
      outcome: { exitCode: 0, wallMs: 7, cpuMs: 2, maxRssKiB: 900 },
    });
    expect(judge(parseResult(line(' verify=ok'))!).outcome.verified).toBe(true);
    const odd = `out/a b,'c'%.nc`;
    expect(
      judge(parseResult(line(` verify=outputs missing=${encodeURIComponent(odd)},out%2Fx.nc`))!),
    ).toMatchObject({ failure: 'outputs', message: `missing outputs ${odd}, out/x.nc` });
    expect(judge(parseResult(line(' verify=outputs missing=out%2Fx.nc'))!).message).toBe(
      'missing output out/x.nc',
    );
    expect(judge(parseResult(line(' verify=check check_exit=3'))!)).toMatchObject({
      failure: 'check',
      message: 'check failed (exit code 3)',
    });
    expect(judge(parseResult(line(' verify=unavailable'))!).outcome.verified).toBeUndefined();
    expect(
      verdict({
        state: 'FAILED',
        memoryKilled: false,
        result: parseResult(line(' verify=check check_exit=3'))!,
      }),
    ).toMatchObject({ failure: 'check', outcome: { exitCode: 0, schedulerState: 'FAILED' } });
  });
});
