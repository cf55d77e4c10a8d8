import { dirname, join } from 'node:path';
import type { Handle } from '../contract.js';
import { withIndex } from './array-spec.js';
import type { JobBook } from './book.js';
import { attemptKey, type LedgerEntry, readLedger } from './ledger.js';
import type { CommandRunner } from './runner.js';
import { findByName } from './squeue.js';

/** The ledger's file name inside a slurm folder. */
export const LEDGER = 'submissions.tsv';

/** Where an earlier run kept its scripts: `runs/<run>/tasks/<task>/<n>.result` → `runs/<run>/slurm`. */
export function defaultLocate(h: Handle): string {
  return join(dirname(dirname(dirname(h.files.result))), 'slurm');
}

/** A handle that reattach could place, with the folder of its Slurm log. */
export interface Placed {
  readonly handle: Handle;
  readonly logDir: string;
}

/**
 * Gives job ids to handles recorded without one (the head died between sbatch and the
 * journal): the submission ledger of their run names the script's token and index, and the
 * job is found by its id there or by its unique name in squeue. Arrays the ledgers know are
 * entered in the book. Handles whose job cannot be found are `missing`.
 */
export async function place(
  handles: readonly Handle[],
  opts: { run: CommandRunner; locate: (h: Handle) => string; book: JobBook },
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
  const unnamed: { handle: Handle; dir: string; entry: LedgerEntry; index: number }[] = [];
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
  const found = await findByName(opts.run, [...new Set(unnamed.map((u) => u.entry.jobName))]);
  if (!found.ok)
    return { placed, missing: [...missing, ...unnamed.map((u) => u.handle)], error: found.message };
  for (const u of unnamed) {
    const id = found.ids.get(u.entry.jobName);
    if (!id) {
      missing.push(u.handle);
      continue;
    }
    if (u.entry.array)
      opts.book.addArray(
        id,
        u.entry.members.map((m) => m.index),
      );
    placed.push({ handle: withJob(u.handle, u.entry, id, u.index), logDir: u.dir });
  }
  return { placed, missing };
}

function withJob(h: Handle, e: LedgerEntry, jobId: string, index: number): Handle {
  return e.array ? { ...h, jobId: `${jobId}_${index}`, arrayIndex: index } : { ...h, jobId };
}
