import type { AttemptRequest, Placement } from '../exec/events.js';
import { readJournal } from './journal.js';
import { decodeRequest, type PlacementKind, placementOf } from './journal-codec.js';
import type { StatePaths } from './paths.js';

/** How an attempt stands at the end of the journals read: the last thing recorded of it. */
export type AttemptState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One attempt of a task, from every journal record that names it. */
export interface AttemptRecord {
  readonly task: string;
  readonly attempt: number;
  /** The run that handed it over (its files are in that run's folder). */
  readonly run: string;
  state: AttemptState;
  failure?: string;
  message?: string;
  exitCode?: number;
  signal?: string;
  /** What it asked for, as the head that handed it over recorded it. */
  request?: AttemptRequest;
  where?: Placement;
  /** Epoch ms: handed over, started, ended. */
  queuedAt?: number;
  startedAt?: number;
  endedAt?: number;
  wallMs?: number;
  cpuMs?: number;
  maxRssKiB?: number;
}

/**
 * Every recorded attempt of the runs given (oldest first), per task, in the order they were
 * handed over. An attempt a later head adopted is one attempt, whichever runs recorded it.
 */
export function readAttempts(paths: StatePaths, runs: readonly string[]): Map<string, AttemptRecord[]> {
  const byTask = new Map<string, AttemptRecord[]>();
  const byKey = new Map<string, AttemptRecord>();
  // Attempts handed over with a job id: an older head's `s` record does not say pid or job.
  const jobs = new Set<AttemptRecord>();
  for (const run of runs) {
    const get = (id: string, a: number, origin: string): AttemptRecord => {
      const key = `${origin}\u0000${id}\u0000${a}`;
      let at = byKey.get(key);
      if (!at) {
        at = { task: id, attempt: a, run: origin, state: 'queued' };
        byKey.set(key, at);
        const list = byTask.get(id);
        if (list) list.push(at);
        else byTask.set(id, [at]);
      }
      return at;
    };
    for (const rec of readJournal(paths.journal(run))) {
      switch (rec.k) {
        case 'q': {
          const at = get(rec.id, rec.a, rec.r0 ?? run);
          at.queuedAt ??= rec.t;
          if (rec.rq) at.request = decodeRequest(rec.rq);
          if (rec.j || rec.h) at.where = { ...at.where, ...placementOf(rec, 'job') };
          if (rec.j && rec.pl !== 'pid') jobs.add(at);
          break;
        }
        case 's': {
          const at = get(rec.id, rec.a, rec.r0 ?? run);
          if (at.state === 'queued') at.state = 'running';
          at.startedAt ??= rec.st ?? rec.t;
          const legacy: PlacementKind = jobs.has(at) ? 'job' : 'pid';
          const host = at.where?.host;
          at.where = { ...(host ? { host } : {}), ...placementOf(rec, legacy) };
          break;
        }
        case 'ok': {
          const at = get(rec.id, rec.a, rec.r0 ?? run);
          at.state = 'succeeded';
          at.endedAt = rec.t;
          at.exitCode = rec.x ?? 0;
          metrics(at, rec);
          break;
        }
        case 'f': {
          const at = get(rec.id, rec.a, rec.r0 ?? run);
          at.state = 'failed';
          at.endedAt = rec.t;
          at.failure = rec.r;
          at.message = rec.msg;
          if (rec.x !== undefined) at.exitCode = rec.x;
          if (rec.sg !== undefined) at.signal = rec.sg;
          metrics(at, rec);
          break;
        }
        case 'c': {
          // Attempt 0: cancelled before it was ever handed over.
          if (rec.a === 0) break;
          const at = get(rec.id, rec.a, rec.r0 ?? run);
          at.state = 'cancelled';
          at.endedAt = rec.t;
          break;
        }
        default:
          break;
      }
    }
  }
  return byTask;
}

function metrics(at: AttemptRecord, rec: { w?: number; c?: number; m?: number }): void {
  if (rec.w !== undefined) at.wallMs = rec.w;
  if (rec.c !== undefined) at.cpuMs = rec.c;
  if (rec.m !== undefined) at.maxRssKiB = rec.m;
}
