import type { Outcome } from '../../exec/events.js';
import { signalName, type Verdict } from '../batch/verdict.js';
import { judge, type LaunchResult } from '../launcher/result.js';
import { type AccountingRecord, memoryMiB } from './qacct.js';

/** How Grid Engine's state letters read for the engine. */
export type Phase = 'queued' | 'running' | 'error';

/**
 * `E` (error: Eqw) before anything else; `r`, `t` (transferring), `s`, `S`, `T` (suspended)
 * run, also while being deleted (`dr`, `dt`) or after a restart (`Rr`); the rest waits:
 * `qw`, `hqw`, `hRwq`, `Rq`.
 */
export function phaseOf(state: string): Phase {
  if (state.includes('E')) return 'error';
  if (/[rtsST]/.test(state)) return 'running';
  return 'queued';
}

/** What the adapter knows when an attempt's job has ended or is in the error state. */
export interface EndFacts {
  /** The wrapper's result line, if it wrote one. */
  readonly result?: LaunchResult;
  /** Grid Engine's state when last seen (`Eqw`), if it still lists the job. */
  readonly state?: string;
  /** Grid Engine's error reason (`qstat -j`), for a job in the error state. */
  readonly reason?: string;
  /** The accounting record, for a job that left the queue without a result line. */
  readonly record?: AccountingRecord;
  /** Whether the job was ever seen running (a pending job leaves no record when deleted). */
  readonly ran?: boolean;
  /** The attempt's limit in seconds, for the message. */
  readonly limit?: number;
  /** The memory request (`h_vmem=100M` or the site's complex), if any. */
  readonly memory?: string;
  /** The end of the attempt's stderr, to tell a failed allocation under `h_vmem`. */
  readonly stderrTail?: string;
}

export type { Verdict };

/** Messages of programs whose memory allocation failed (h_vmem is also a per-process address-space limit). */
const ALLOCATION_FAILED =
  /MemoryError|memory exhausted|[Cc]annot allocate memory|[Oo]ut of memory|std::bad_alloc|failed to allocate/;

/**
 * Joins the wrapper's result line with Grid Engine's word. The result line decides whenever
 * there is one (exit code, timeout by the wrapper's own limit, verification); without one,
 * Grid Engine's accounting tells its kills apart: `failed 37` with the peak over `h_vmem` is
 * out of memory, else over `h_rt`; `failed 100` with a signal is a qdel of a running job.
 */
export function verdict(f: EndFacts): Verdict {
  const schedulerState =
    f.state ?? (f.record && f.record.failed !== 0 ? `failed ${f.record.failed}` : 'finished');
  if (f.result) {
    const base = judge(f.result, f.limit);
    const outcome: Outcome = { ...base.outcome, schedulerState };
    if (base.failure === 'failed' && f.memory && ALLOCATION_FAILED.test(f.stderrTail ?? '')) {
      return {
        outcome,
        failure: 'oom',
        message: `out of memory: an allocation failed under ${f.memory} (${base.message})`,
      };
    }
    return {
      outcome,
      ...(base.failure ? { failure: base.failure } : {}),
      ...(base.message ? { message: base.message } : {}),
    };
  }
  if (f.state !== undefined) {
    return {
      outcome: { schedulerState },
      failure: 'failed',
      message: `Grid Engine error: ${f.reason || 'the job is in the error state'}`,
    };
  }
  const r = f.record;
  if (!r) {
    if (!f.ran)
      return {
        outcome: { schedulerState: 'deleted' },
        failure: 'cancelled',
        message: 'deleted while pending',
      };
    return {
      outcome: {},
      failure: 'lost',
      message: 'Grid Engine no longer lists the job and it left no result',
    };
  }
  const outcome: Outcome = {
    ...(r.exitStatus > 128 ? { signal: signalName(r.exitStatus - 128) } : { exitCode: r.exitStatus }),
    ...(r.wallSeconds !== undefined ? { wallMs: Math.round(r.wallSeconds * 1000) } : {}),
    schedulerState,
  };
  if (r.failed === 37) {
    // One code for h_rt, h_cpu and h_vmem. The recorded peak may be far below what the kill
    // saw (an array task killed over h_vmem here was recorded at 22 MiB of 100), so the wall
    // time tells: a kill before h_rt is a memory kill when memory was asked for.
    const hrt = r.requests.get('h_rt');
    const hrtSeconds = hrt !== undefined ? seconds(hrt) : undefined;
    const vmem =
      r.requests.get('h_vmem') ?? (f.memory?.startsWith('h_vmem=') ? f.memory.slice(7) : undefined);
    const limit = vmem !== undefined ? memoryMiB(vmem) : undefined;
    const overTime = hrtSeconds !== undefined && (r.wallSeconds ?? 0) >= hrtSeconds - 1;
    if (limit !== undefined && !overTime) {
      const peak =
        r.maxVmemMiB !== undefined && r.maxVmemMiB >= limit * 0.95
          ? ` (peak ${r.maxVmemMiB.toFixed(1)} MiB)`
          : '';
      return {
        outcome,
        failure: 'oom',
        message: `out of memory: Grid Engine killed it over h_vmem=${vmem}${peak}`,
      };
    }
    return {
      outcome,
      failure: 'timeout',
      message: hrt
        ? `timed out: Grid Engine killed it at h_rt=${hrt}${f.limit !== undefined ? ` (limit ${f.limit}s)` : ''}`
        : `Grid Engine killed it over a limit (${r.failedText || 'failed 37'})`,
    };
  }
  if (r.failed === 100 && r.exitStatus > 128) {
    return { outcome, failure: 'cancelled', message: 'deleted while running (qdel)' };
  }
  if (r.failed !== 0) {
    return { outcome, failure: 'failed', message: `Grid Engine: failed ${r.failed}: ${r.failedText}` };
  }
  if (r.exitStatus > 128) {
    return { outcome, failure: 'failed', message: `killed by ${outcome.signal}; no result recorded` };
  }
  return {
    outcome,
    failure: 'lost',
    message: `the job ended (exit status ${r.exitStatus}) but left no result line`,
  };
}

/** A Grid Engine time (`45`, `0:00:45`, `1:41:26`) in seconds. */
function seconds(value: string): number | undefined {
  const parts = value.split(':').map(Number);
  if (parts.some((n) => !Number.isFinite(n))) return undefined;
  return parts.reduce((t, n) => t * 60 + n, 0);
}

/** The verdict for an attempt given up because an upstream attempt did not succeed. */
export const UNSATISFIABLE = 'not run: an upstream attempt did not succeed';
