import { basename, dirname, join } from 'node:path';
import type { Handle } from '../contract.js';
import { withIndex } from './array-spec.js';
import type { JobBook } from './book.js';
import { inFlight, waitForSbatch } from './inflight.js';
import { attemptKey, type LedgerEntry, readLedger } from './ledger.js';
import type { CommandRunner } from './runner.js';
import { findByName } from './squeue.js';

/** The ledger's file name inside a slurm folder. */
export const LEDGER = 'submissions.tsv';

/**
 * The slurm folder of the run that made a handle: attempt files live in the run's folder,
 * `runs/<run>/tasks/<task>.<n>.result` (docs/state.md), and the slurm folder beside `tasks`.
 * The run folder is the ancestor whose parent is `runs`, wherever below it the file is.
 */
export function defaultLocate(h: Handle): string {
  const files = dirname(h.files.result);
  for (let up = files; dirname(up) !== up; up = dirname(up)) {
    if (basename(dirname(up)) === 'runs') return join(up, 'slurm');
  }
  // Not below a `runs` folder: beside the folder of the attempt files.
  return join(dirname(files), 'slurm');
}

/** A handle that reattach could place, with the folder of its Slurm log. */
export interface Placed {
  readonly handle: Handle;
  readonly logDir: string;
}

/** How `place` looks jobs up; injectable for tests. */
export interface PlaceOptions {
  readonly run: CommandRunner;
  readonly locate: (h: Handle) => string;
  readonly book: JobBook;
  /** Which scripts an sbatch still works on, and waiting for those (default: from /proc). */
  readonly inFlight?: (scripts: readonly string[]) => string[];
  readonly waitForSbatch?: (scripts: readonly string[]) => Promise<unknown>;
  /** Retries of a name lookup that failed (default 3), first backoff in ms (default 1000). */
  readonly retries?: number;
  readonly backoff?: number;
}

interface Unnamed {
  readonly handle: Handle;
  readonly dir: string;
  readonly entry: LedgerEntry;
  readonly index: number;
}

/**
 * Gives job ids to handles recorded without one (the head died between its journal and
 * sbatch's answer): the submission ledger of their run names the script's token and index,
 * and the job is found by its id there or by its unique name in squeue. A job not found by
 * name may still be on its way: the dead head's sbatch goes on without it, so the lookup is
 * made again once no sbatch of that script runs any more. Arrays the ledgers know are
 * entered in the book. Handles whose job cannot be found are `missing`.
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
      for (const e of l.entries.values()) {
        if (e.array && e.jobId)
          opts.book.addArray(
            e.jobId,
            e.members.map((m) => m.index),
          );
      }
    }
    return l;
  };
  const placed: Placed[] = [];
  const missing: Handle[] = [];
  let unnamed: Unnamed[] = [];
  for (const given of handles) {
    const h = withIndex(given);
    const dir = opts.locate(h);
    const l = ledgerOf(dir);
    if (h.jobId !== '') {
      placed.push({ handle: h, logDir: dir });
      continue;
    }
    const at = l.byAttempt.get(attemptKey(h.taskId, h.attempt));
    const entry = at ? l.entries.get(at.token) : undefined;
    if (!at || !entry) missing.push(h);
    else if (entry.jobId) placed.push({ handle: withJob(h, entry, entry.jobId, at.index), logDir: dir });
    else unnamed.push({ handle: h, dir, entry, index: at.index });
  }
  if (unnamed.length === 0) return { placed, missing };
  let error: string | undefined;
  const lookUp = async (): Promise<void> => {
    const names = [...new Set(unnamed.map((u) => u.entry.jobName))];
    let found = await findByName(opts.run, names);
    let delay = opts.backoff ?? 1000;
    for (let i = 0; !found.ok && i < (opts.retries ?? 3); i++) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
      found = await findByName(opts.run, names);
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
      if (u.entry.array)
        opts.book.addArray(
          id,
          u.entry.members.map((m) => m.index),
        );
      placed.push({ handle: withJob(u.handle, u.entry, id, u.index), logDir: u.dir });
    }
    unnamed = left;
  };
  // Which of these scripts an sbatch still works on, seen before the lookup: one that ended
  // before it has its job in the answer (or never submitted it).
  const scripts = [...new Set(unnamed.map((u) => u.entry.script))];
  const busy = new Set(opts.inFlight ? opts.inFlight(scripts) : inFlight(scripts));
  await lookUp();
  if (error === undefined && unnamed.some((u) => busy.has(u.entry.script))) {
    await (opts.waitForSbatch ?? waitForSbatch)([...busy]);
    await lookUp();
  }
  missing.push(...unnamed.map((u) => u.handle));
  return { placed, missing, ...(error !== undefined ? { error } : {}) };
}

function withJob(h: Handle, e: LedgerEntry, jobId: string, index: number): Handle {
  return e.array ? { ...h, jobId: `${jobId}_${index}`, arrayIndex: index } : { ...h, jobId };
}
