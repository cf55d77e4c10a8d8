import { readFileSync } from 'node:fs';
import type { Outcome } from '../../exec/events.js';
import { formatMemory } from '../../model/units.js';
import type { EndFailure } from '../contract.js';

/*
 * The result line a launcher (or a batch job's wrapper) writes when an attempt ends, and what it
 * means for the engine. Written by native/campaign-exec.c, native/campaign-exec.sh and the job
 * scripts of the batch adapters; read here only.
 */

/** The launcher's result line, parsed. */
export interface LaunchResult {
  readonly exit: number;
  readonly signal: number;
  readonly timedOut: boolean;
  readonly cancelled: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKiB?: number;
  readonly startMs: number;
  /** The memory request the launcher enforced, in KiB (`memlimit_kib`). */
  readonly memLimitKiB?: number;
  /** The launcher killed the group over its memory request (`oom=1`). */
  readonly oom?: boolean;
  /**
   * Verification inside a batch job (`Submission.verify`), when the command exited 0: `ok`,
   * `outputs` (with `missing`), `check` (with `checkExit`), or `unavailable` (the head
   * verifies). Undefined when nothing was verified where the attempt ran.
   */
  readonly verify?: 'ok' | 'outputs' | 'check' | 'unavailable';
  readonly missing?: readonly string[];
  readonly checkExit?: number;
}

const VERIFY = new Set(['ok', 'outputs', 'check', 'unavailable']);

/** Missing outputs as the result line's `missing=` carries them: URI-encoded, comma-joined. */
export const encodeMissing = (missing: readonly string[]) => missing.map(encodeURIComponent).join(',');

function decodeMissing(field: string): string[] {
  if (field === '') return [];
  return field.split(',').map((m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}

export function readResult(path: string): LaunchResult | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseResult(text);
}

export function parseResult(text: string): LaunchResult | undefined {
  if (!text.startsWith('v1 ')) return undefined;
  const f: Record<string, number> = {};
  const words: Record<string, string> = {};
  for (const pair of (text.split('\n')[0] ?? '').trim().split(' ').slice(1)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    words[pair.slice(0, eq)] = pair.slice(eq + 1);
    f[pair.slice(0, eq)] = Number(pair.slice(eq + 1));
  }
  const verify = words.verify !== undefined && VERIFY.has(words.verify) ? words.verify : undefined;
  return {
    exit: f.exit ?? -1,
    signal: f.signal ?? 0,
    timedOut: f.timedout === 1,
    cancelled: f.cancelled === 1,
    wallMs: f.wall_ms ?? 0,
    cpuMs: f.cpu_ms ?? 0,
    ...(f.maxrss_kib !== undefined && f.maxrss_kib >= 0 ? { maxRssKiB: f.maxrss_kib } : {}),
    startMs: f.start_ms ?? 0,
    ...(f.memlimit_kib !== undefined && f.memlimit_kib > 0 ? { memLimitKiB: f.memlimit_kib } : {}),
    ...(f.oom === 1 ? { oom: true } : {}),
    ...(verify ? { verify: verify as LaunchResult['verify'] } : {}),
    ...(verify === 'outputs' ? { missing: decodeMissing(words.missing ?? '') } : {}),
    ...(verify === 'check' ? { checkExit: Number.isFinite(f.check_exit) ? f.check_exit! : -1 } : {}),
  };
}

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  6: 'SIGABRT',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
};

/** Outcome, failure kind and a one-line message from a result line. */
export function judge(
  r: LaunchResult,
  limit?: number,
): { outcome: Outcome; failure?: EndFailure; message?: string } {
  const outcome: Outcome = {
    ...(r.signal === 0 ? { exitCode: r.exit } : { signal: SIGNALS[r.signal] ?? `signal ${r.signal}` }),
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
    ...(r.maxRssKiB !== undefined ? { maxRssKiB: r.maxRssKiB } : {}),
  };
  if (r.oom) return { outcome, failure: 'oom', message: overMemory(r) };
  if (r.timedOut) return { outcome, failure: 'timeout', message: `timed out after ${limit ?? '?'}s` };
  if (r.cancelled) return { outcome, failure: 'cancelled', message: 'cancelled' };
  if (r.signal !== 0) {
    const name = outcome.signal!;
    return {
      outcome,
      failure: 'failed',
      message: `killed by ${name}${r.signal === 9 ? ' (out of memory?)' : ''}`,
    };
  }
  if (r.exit === 0) return verified(r, outcome);
  if (r.exit === 127) return { outcome, failure: 'failed', message: 'exit code 127 (command not found)' };
  return { outcome, failure: 'failed', message: `exit code ${r.exit}` };
}

/** A zero exit as the verification inside the job judged it; messages as the engine words them. */
function verified(
  r: LaunchResult,
  outcome: Outcome,
): { outcome: Outcome; failure?: EndFailure; message?: string } {
  switch (r.verify) {
    case 'ok':
      return { outcome: { ...outcome, verified: true } };
    case 'outputs': {
      const missing = r.missing ?? [];
      return {
        outcome,
        failure: 'outputs',
        message: `missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      };
    }
    case 'check':
      return { outcome, failure: 'check', message: `check failed (exit code ${r.checkExit ?? -1})` };
    default:
      return { outcome };
  }
}

/** `out of memory: 131M resident, over its request of 100M` (the launcher killed it). */
function overMemory(r: LaunchResult): string {
  const mib = (kib: number) => formatMemory(Math.ceil(kib / 1024));
  const peak = r.maxRssKiB !== undefined ? `${mib(r.maxRssKiB)} resident, ` : '';
  const request = r.memLimitKiB !== undefined ? ` of ${mib(r.memLimitKiB)}` : '';
  return `out of memory: ${peak}over its request${request} (killed by the launcher)`;
}
