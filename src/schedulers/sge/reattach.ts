import { basename, dirname, join } from 'node:path';
import type { Handle } from '../contract.js';
import { inFlight, waitForSbatch } from '../slurm/inflight.js';
import type { CommandRunner } from '../slurm/runner.js';
import type { JobBook } from './book.js';
import { taskJobId, withIndex } from './ids.js';
import { attemptKey, type LedgerEntry, readLedger } from './ledger.js';
import { findByName } from './qstat.js';

/** The ledger's file name inside an sge folder. */
export const LEDGER = 'submissions.tsv';

/**
 * The sge folder of the run that made a handle: attempt files live in the run's folder,
 * `runs/<run>/tasks/...` (docs/state.md), and the sge folder beside `tasks`. The run folder
 * is the ancestor whose parent is `runs`, wherever below it the file is.
 */
export function defaultLocate(h: Handle): string {
  const files = dirname(h.files.result);
  for (let up = files; dirname(up) !== up; up = dirname(up)) {
    if (basename(dirname(up)) === 'runs') return join(up, 'sge');
  }
  return join(dirname(files), 'sge');
}

/** A handle that reattach could place, with its job's name. */
export interface Placed {
  readonly handle: Handle;
  readonly name: string;
}

/** How `place` looks jobs up; injectable for tests. */
export interface PlaceOptions {
  readonly run: CommandRunner;
  readonly user: string;
  readonly locate: (h: Handle) => string;
  readonly book: JobBook;
  /** Which scripts a qsub still works on, and waiting for those (default: from /proc). */
  readonly inFlight?: (scripts: readonly string[]) => string[];
  readonly waitForQsub?: (scripts: readonly string[]) => Promise<unknown>;
  /** Retries of a name lookup that failed (default 3), first backoff in ms (default 1000). */
  readonly retries?: number;
  readonly backoff?: number;
}

interface Unnamed {
  readonly handle: Handle;
  readonly entry: LedgerEntry;
  readonly index: number;
}

/**
 * Gives job ids to handles recorded without one (the head died between its journal and
 * qsub's answer): the submission ledger of their run names the script's token and task, and
 * the job is found by its id there or by its unique name in qstat. A job not found by name
 * may still be on its way: the dead head's qsub goes on without it, so the lookup is made
 * again once no qsub of that script runs any more. Array sizes and holds the ledgers know go
 * into the book. Handles whose job cannot be found are `missing`; nothing is submitted again.
 */
export async function place(
  handles: readonly Handle[],
  opts: PlaceOptions,
): Promise<{ placed: Placed[]; missing: Handle[]; error?: string }> {
  const ledgers = new Map<string, ReturnType<typeof readLedger>>();
  const ledgerOf = (dir: string) => {
    let l = ledgers.get(dir);
    if (!l) {
      l = readLedger(join(dir, LEDGER));
      ledgers.set(dir, l);
      for (const e of l.entries.values()) if (e.jobId) learn(opts.book, e, e.jobId);
    }
    return l;
  };
  const placed: Placed[] = [];
  const missing: Handle[] = [];
  let unnamed: Unnamed[] = [];
  for (const given of handles) {
    const h = withIndex(given);
    const l = ledgerOf(opts.locate(h));
    const at = l.byAttempt.get(attemptKey(h.taskId, h.attempt));
    const entry = at ? l.entries.get(at.token) : undefined;
    if (h.jobId !== '') placed.push({ handle: h, name: entry?.jobName ?? '' });
    else if (!at || !entry) missing.push(h);
    else if (entry.jobId)
      placed.push({ handle: withJob(h, entry, entry.jobId, at.index), name: entry.jobName });
    else unnamed.push({ handle: h, entry, index: at.index });
  }
  if (unnamed.length === 0) return { placed, missing };
  let error: string | undefined;
  const lookUp = async (): Promise<void> => {
    const names = [...new Set(unnamed.map((u) => u.entry.jobName))];
    let found = await findByName(opts.run, opts.user, names);
    let delay = opts.backoff ?? 1000;
    for (let i = 0; !found.ok && i < (opts.retries ?? 3); i++) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
      found = await findByName(opts.run, opts.user, names);
    }
    if (!found.ok) {
      error = found.message;
      return;
    }
    const left: Unnamed[] = [];
    for (const u of unnamed) {
      const id = found.ids.get(u.entry.jobName);
      if (!id) {
        left.push(u);
        continue;
      }
      learn(opts.book, u.entry, id);
      placed.push({ handle: withJob(u.handle, u.entry, id, u.index), name: u.entry.jobName });
    }
    unnamed = left;
  };
  // Which of these scripts a qsub still works on, seen before the lookup: one that ended
  // before it has its job in the answer (or never submitted it).
  const scripts = [...new Set(unnamed.map((u) => u.entry.script))];
  const busy = new Set(opts.inFlight ? opts.inFlight(scripts) : inFlight(scripts));
  await lookUp();
  if (error === undefined && unnamed.some((u) => busy.has(u.entry.script))) {
    await (opts.waitForQsub ?? waitForSbatch)([...busy]);
    await lookUp();
  }
  missing.push(...unnamed.map((u) => u.handle));
  return { placed, missing, ...(error !== undefined ? { error } : {}) };
}

/** Enters a submitted script's array size and holds in the book. */
function learn(book: JobBook, e: LedgerEntry, jobId: string): void {
  if (e.array)
    book.addArray(
      jobId,
      e.members.reduce((n, m) => Math.max(n, m.index), 0),
    );
  for (const m of e.members) {
    book.addHold(e.array ? taskJobId(jobId, m.index) : jobId, [...e.upstreams, ...m.upstreams]);
  }
}

function withJob(h: Handle, e: LedgerEntry, jobId: string, index: number): Handle {
  return e.array ? { ...h, jobId: taskJobId(jobId, index), arrayIndex: index } : { ...h, jobId };
}
