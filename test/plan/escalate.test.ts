import { describe, expect, it } from 'vitest';
import { escalate, NO_ESCALATION, parseEscalation, retryDelay } from '../../src/plan/escalate.js';

const G = 1024;

describe('escalate', () => {
  it('doubles the memory after an oom', () => {
    expect(escalate({ failure: 'oom', attempt: 1, request: { memory: 100, limit: 600 } })).toEqual({
      action: 'retry',
      attempt: 2,
      request: { memory: 200, limit: 600 },
      escalated: true,
      step: 'attempt 2 with 200M after oom at 100M',
    });
  });

  it('escalates from the measured peak when it is known and above the request', () => {
    const above = escalate({
      failure: 'oom',
      attempt: 2,
      request: { memory: 100 },
      measured: { maxRssKiB: 150 * 1024 },
    });
    expect(above).toMatchObject({
      request: { memory: 300 },
      step: 'attempt 3 with 300M after oom at 100M, peak 150M',
    });
    const below = escalate({
      failure: 'oom',
      attempt: 1,
      request: { memory: 100 },
      measured: { maxRssKiB: 90 * 1024 },
    });
    expect(below).toMatchObject({ request: { memory: 200 }, step: 'attempt 2 with 200M after oom at 100M' });
    const factor = escalate({
      failure: 'oom',
      attempt: 1,
      request: { memory: 100 },
      policy: { memory: 1.5, runtime: 2 },
    });
    expect(factor).toMatchObject({ request: { memory: 150 } });
  });

  it('stops at the partition limit: capped once, then cannot escalate', () => {
    const capped = escalate({
      failure: 'oom',
      attempt: 1,
      request: { memory: 40 * G },
      cap: { memory: 64 * G },
    });
    expect(capped).toMatchObject({
      action: 'retry',
      request: { memory: 64 * G },
      step: "attempt 2 with 64G after oom at 40G (the partition's limit)",
    });
    expect(
      escalate({ failure: 'oom', attempt: 2, request: { memory: 64 * G }, cap: { memory: 64 * G } }),
    ).toEqual({
      action: 'stop',
      reason: 'at-limit',
      step: "cannot escalate: at the partition's limit (64G of memory)",
    });
  });

  it('doubles the time limit after a timeout; the wall time, which includes stopping it, does not count', () => {
    expect(escalate({ failure: 'timeout', attempt: 1, request: { memory: 100, limit: 3600 } })).toEqual({
      action: 'retry',
      attempt: 2,
      request: { memory: 100, limit: 7200 },
      escalated: true,
      step: 'attempt 2 with 2h after timeout at 1h',
    });
    const wall = escalate({
      failure: 'timeout',
      attempt: 1,
      request: { limit: 3600 },
      measured: { wallMs: 3_605_000 },
    });
    expect(wall).toMatchObject({
      request: { limit: 7200 },
      step: 'attempt 2 with 2h after timeout at 1h',
    });
    const capped = escalate({
      failure: 'timeout',
      attempt: 1,
      request: { limit: 3600 },
      cap: { walltime: 5400 },
    });
    expect(capped).toMatchObject({
      request: { limit: 5400 },
      step: "attempt 2 with 1h30m after timeout at 1h (the partition's limit)",
    });
    expect(
      escalate({ failure: 'timeout', attempt: 2, request: { limit: 5400 }, cap: { walltime: 5400 } }),
    ).toEqual({
      action: 'stop',
      reason: 'at-limit',
      step: "cannot escalate: at the partition's limit (1h30m of walltime)",
    });
  });

  it('requeues after node_fail and preempted without spending an attempt, up to the cap', () => {
    expect(escalate({ failure: 'node_fail', attempt: 1, request: { memory: 100 } })).toEqual({
      action: 'requeue',
      attempt: 1,
      requeues: 1,
      request: { memory: 100 },
      step: 'requeue 1 of 3 after node_fail, attempt 1 again',
    });
    expect(escalate({ failure: 'preempted', attempt: 1, request: {}, requeues: 3 })).toEqual({
      action: 'retry',
      attempt: 2,
      request: {},
      escalated: false,
      step: 'attempt 2 after preempted (3 requeues spent)',
    });
  });

  it('retries other failures as they were; escalation off does the same for oom', () => {
    expect(escalate({ failure: 'failed', attempt: 1, request: { memory: 100 } })).toEqual({
      action: 'retry',
      attempt: 2,
      request: { memory: 100 },
      escalated: false,
      step: 'attempt 2 as before after failed',
    });
    expect(
      escalate({ failure: 'oom', attempt: 1, request: { memory: 100 }, policy: NO_ESCALATION }),
    ).toMatchObject({
      request: { memory: 100 },
      escalated: false,
    });
    expect(escalate({ failure: 'oom', attempt: 1, request: {} })).toMatchObject({
      action: 'stop',
      reason: 'no-request',
    });
  });

  it('delays retries as the engine does: backoff doubled per attempt', () => {
    expect([1, 2, 3, 4].map((a) => retryDelay(10, a))).toEqual([10, 20, 40, 80]);
  });
});

describe('parseEscalation', () => {
  const at = ['campaign', 'defaults', 'retries', 'escalate'];
  it('reads factors, false, and reports bad ones at their key', () => {
    expect(parseEscalation({ memory: 1.5 }, at)).toEqual({ ok: true, value: { memory: 1.5, runtime: 2 } });
    expect(parseEscalation(false, at)).toEqual({ ok: true, value: { memory: 1, runtime: 1 } });
    const r = parseEscalation({ memory: 0.5, runtme: 2 }, at);
    expect(r.ok ? [] : r.errors.map((e) => [e.where?.path.at(-1), e.message])).toEqual([
      ['runtme', 'unknown key `runtme` in escalate'],
      ['memory', 'escalate `memory` must be a factor from 1 to 100 (2.0 doubles), not 0.5'],
    ]);
  });
});
