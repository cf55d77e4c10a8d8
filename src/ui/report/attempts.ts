import { type JournalRecord, type RunHeader, readJournal } from '../../state/journal.js';
import type { StatePaths } from '../../state/paths.js';

/** How an attempt stands at the end of the journals: the last thing recorded of it. */
export type AttemptState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * The request an attempt was handed over with, as newer heads record it on its `q` record
 * (escalation applied): cores, memory MiB, GPUs, runtime estimate s, limit s, partition.
 */
export interface RecordedRequest {
  readonly c?: number;
  readonly m?: number;
  readonly g?: number;
  readonly rt?: number;
  readonly l?: number;
  readonly p?: string;
}

/** One attempt of a task, put together from every journal record that names it. */
export interface Attempt {
  readonly task: string;
  readonly attempt: number;
  /** The run that handed it over: its log files are in that run's folder. */
  readonly run: string;
  /** Every run whose journal recorded something of it (a head that reattached adds its own). */
  readonly runs: string[];
  state: AttemptState;
  failure?: string;
  message?: string;
  exitCode?: number;
  signal?: string;
  /** A retry followed it, this many seconds later. */
  retryIn?: number;
  jobId?: string;
  host?: string;
  /** Epoch ms: handed over, started, ended. */
  submit?: number;
  start?: number;
  end?: number;
  wallMs?: number;
  cpuMs?: number;
  peakKiB?: number;
  /** The definition hash a success recorded. */
  hash?: string;
  request?: RecordedRequest;
}

/** A task the run skipped: the dependency whose failure made it impossible. */
export interface Skip {
  readonly task: string;
  readonly run: string;
  readonly t: number;
  readonly upstream: string;
  readonly message: string;
}

export type EndRecord = Extract<JournalRecord, { k: 'end' }>;

/** What the journals of a campaign's runs say, attempt by attempt. */
export interface JournalFold {
  readonly headers: ReadonlyMap<string, RunHeader>;
  readonly ends: ReadonlyMap<string, EndRecord>;
  /** The time of each run's last record (the end of a run that recorded none). */
  readonly last: ReadonlyMap<string, number>;
  /** In the order they were first recorded. */
  readonly attempts: readonly Attempt[];
  readonly skips: readonly Skip[];
  /** Tasks cancelled before any attempt (a `c` record of attempt 0), per run. */
  readonly cancelled: readonly { readonly task: string; readonly run: string; readonly t: number }[];
}

// Fields newer heads add to records; read when present (docs/state.md).
type QRecord = Extract<JournalRecord, { k: 'q' }> & { rq?: RecordedRequest };
type SRecord = Extract<JournalRecord, { k: 's' }> & { h?: string };

/** Reads the journals of `runs` (oldest first) and joins their records into attempts. */
export function foldJournals(paths: StatePaths, runs: readonly string[]): JournalFold {
  const headers = new Map<string, RunHeader>();
  const ends = new Map<string, EndRecord>();
  const last = new Map<string, number>();
  const attempts: Attempt[] = [];
  const byKey = new Map<string, Attempt>();
  const skips: Skip[] = [];
  const cancelled: { task: string; run: string; t: number }[] = [];
  for (const run of runs) {
    const get = (id: string, a: number, from: string | undefined): Attempt => {
      const origin = from ?? run;
      const key = `${origin}\u0000${id}\u0000${a}`;
      let at = byKey.get(key);
      if (!at) {
        at = { task: id, attempt: a, run: origin, runs: [origin], state: 'queued' };
        byKey.set(key, at);
        attempts.push(at);
      }
      if (!at.runs.includes(run)) at.runs.push(run);
      return at;
    };
    for (const rec of readJournal(paths.journal(run))) {
      last.set(run, Math.max(last.get(run) ?? 0, rec.t));
      switch (rec.k) {
        case 'run':
          headers.set(run, rec);
          break;
        case 'end':
          ends.set(run, rec);
          break;
        case 'q': {
          const q = rec as QRecord;
          const at = get(q.id, q.a, undefined);
          at.submit ??= q.t;
          if (q.j) at.jobId = q.j;
          if (q.rq) at.request = q.rq;
          break;
        }
        case 's': {
          const s = rec as SRecord;
          const at = get(s.id, s.a, s.r0);
          if (at.state === 'queued') at.state = 'running';
          at.start ??= s.st ?? s.t;
          if (s.j) at.jobId = s.j;
          if (s.h) at.host = s.h;
          break;
        }
        case 'ok': {
          const at = get(rec.id, rec.a, rec.r0);
          at.state = 'succeeded';
          at.end = rec.t;
          at.hash = rec.h;
          metrics(at, rec);
          break;
        }
        case 'f': {
          const at = get(rec.id, rec.a, rec.r0);
          at.state = 'failed';
          at.end = rec.t;
          at.failure = rec.r;
          at.message = rec.msg;
          if (rec.x !== undefined) at.exitCode = rec.x;
          if (rec.sg !== undefined) at.signal = rec.sg;
          if (rec.re !== undefined) at.retryIn = rec.re;
          metrics(at, rec);
          break;
        }
        case 'c':
          if (rec.a === 0 && !byKey.has(`${rec.r0 ?? run}\u0000${rec.id}\u00000`)) {
            cancelled.push({ task: rec.id, run, t: rec.t });
            break;
          }
          {
            const at = get(rec.id, rec.a, rec.r0);
            at.state = 'cancelled';
            at.end = rec.t;
          }
          break;
        case 'sk':
          skips.push({ task: rec.id, run, t: rec.t, upstream: rec.up, message: rec.msg });
          break;
      }
    }
  }
  return { headers, ends, last, attempts, skips, cancelled };
}

function metrics(at: Attempt, rec: { w?: number; c?: number; m?: number }): void {
  if (rec.w !== undefined) at.wallMs = rec.w;
  if (rec.c !== undefined) at.cpuMs = rec.c;
  if (rec.m !== undefined) at.peakKiB = rec.m;
}

/** Wall time of an attempt in ms: as its launcher measured it, else from its records' times. */
export function wallOf(a: Attempt): number | undefined {
  if (a.wallMs !== undefined) return a.wallMs;
  return a.start !== undefined && a.end !== undefined ? Math.max(0, a.end - a.start) : undefined;
}
