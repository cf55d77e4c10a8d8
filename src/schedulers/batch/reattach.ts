import { basename, dirname, join } from 'node:path';
import type { Handle, Update } from '../contract.js';
import { readResult } from '../launcher/result.js';
import { inFlight, waitForSubmissions } from './inflight.js';
import { attemptKey, LEDGER, type LedgerEntry, readLedger } from './ledger.js';
import { endedUpdate, type Verdict } from './verdict.js';

/**
 * Where a handle's run keeps its scheduler folder (`folder` is `slurm` or `sge`): attempt
 * files live in the run's folder, `runs/<run>/tasks/...` (docs/state.md), and the scheduler
 * folder beside `tasks`. The run folder is the ancestor whose parent is `runs`, wherever
 * below it the file is; not below a `runs` folder, beside the folder of the attempt files.
 */
export function locateIn(folder: string): (h: Handle) => string {
  return (h) => {
    const files = dirname(h.files.result);
    for (let up = files; dirname(up) !== up; up = dirname(up)) {
      if (basename(dirname(up)) === 'runs') return join(up, folder);
    }
    return join(dirname(files), folder);
  };
}

/** A handle that reattach could place, with its run's scheduler folder and its job's name. */
export interface Placed {
  readonly handle: Handle;
  readonly dir: string;
  /** The job's name from the ledger; empty when the ledger does not know the attempt. */
  readonly name: string;
}

/** The answer of a lookup of jobs by name: job id by name, or why the queue did not answer. */
export type NameLookup = { ok: true; ids: Map<string, string> } | { ok: false; message: string };

/** What `place` needs of one scheduler; the lookups are injectable for tests. */
export interface PlaceOptions {
  readonly locate: (h: Handle) => string;
  /** Looks jobs up by name (one call of the queue for all names). */
  readonly findByName: (names: readonly string[]) => Promise<NameLookup>;
  /** The handle with `arrayIndex` filled in from its job id. */
  readonly withIndex: (h: Handle) => Handle;
  /** The job id of task `index` of array job `job`. */
  readonly taskJobId: (job: string, index: number) => string;
  /** Enters what a ledger entry says of a submitted job (array, holds) in the head's book. */
  readonly learn: (e: LedgerEntry, jobId: string) => void;
  /** Which scripts a submission still works on, and waiting for those (default: from /proc). */
  readonly inFlight?: (scripts: readonly string[]) => string[];
  readonly waitForSubmissions?: (scripts: readonly string[]) => Promise<unknown>;
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
 * Gives job ids to handles recorded without one (the head died between its journal and the
 * scheduler's answer): the submission ledger of their run names the script's token and index,
 * and the job is found by its id there or by its unique name in the queue. A job not found by
 * name may still be on its way: the dead head's submission goes on without it, so the lookup
 * is made again once no submission of that script runs any more. What the ledgers know of
 * submitted jobs goes into the book. Handles whose job cannot be found are `missing`; nothing
 * is submitted again.
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
      for (const e of l.entries.values()) if (e.jobId) opts.learn(e, e.jobId);
    }
    return l;
  };
  const withJob = (h: Handle, e: LedgerEntry, jobId: string, index: number): Handle =>
    e.array ? { ...h, jobId: opts.taskJobId(jobId, index), arrayIndex: index } : { ...h, jobId };
  const placed: Placed[] = [];
  const missing: Handle[] = [];
  let unnamed: Unnamed[] = [];
  for (const given of handles) {
    const h = opts.withIndex(given);
    const dir = opts.locate(h);
    const l = ledgerOf(dir);
    const at = l.byAttempt.get(attemptKey(h.taskId, h.attempt));
    const entry = at ? l.entries.get(at.token) : undefined;
    if (h.jobId !== '') placed.push({ handle: h, dir, name: entry?.jobName ?? '' });
    else if (!at || !entry) missing.push(h);
    else if (entry.jobId)
      placed.push({ handle: withJob(h, entry, entry.jobId, at.index), dir, name: entry.jobName });
    else unnamed.push({ handle: h, dir, entry, index: at.index });
  }
  if (unnamed.length === 0) return { placed, missing };
  let error: string | undefined;
  const lookUp = async (): Promise<void> => {
    const names = [...new Set(unnamed.map((u) => u.entry.jobName))];
    let found = await opts.findByName(names);
    let delay = opts.backoff ?? 1000;
    for (let i = 0; !found.ok && i < (opts.retries ?? 3); i++) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
      found = await opts.findByName(names);
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
      opts.learn(u.entry, id);
      placed.push({ handle: withJob(u.handle, u.entry, id, u.index), dir: u.dir, name: u.entry.jobName });
    }
    unnamed = left;
  };
  // Which of these scripts a submission still works on, seen before the lookup: one that
  // ended before it has its job in the answer (or never submitted it).
  const scripts = [...new Set(unnamed.map((u) => u.entry.script))];
  const busy = new Set(opts.inFlight ? opts.inFlight(scripts) : inFlight(scripts));
  await lookUp();
  if (error === undefined && unnamed.some((u) => busy.has(u.entry.script))) {
    await (opts.waitForSubmissions ?? waitForSubmissions)([...busy]);
    await lookUp();
  }
  missing.push(...unnamed.map((u) => u.handle));
  return { placed, missing, ...(error !== undefined ? { error } : {}) };
}

/** What reattach makes of the placed handles: queued, each with its job id. */
export function queuedUpdates(placed: readonly Placed[]): Update[] {
  return placed.map((p) => ({ kind: 'queued', handle: p.handle, where: { jobId: p.handle.jobId } }));
}

/**
 * The ends of attempts reattach could not place: what left a result line has ended as it
 * says (`judge`), the rest is lost (`scheduler` names it in the message).
 */
export function unplacedUpdates(
  missing: readonly Handle[],
  judge: (result: NonNullable<ReturnType<typeof readResult>>) => Verdict,
  scheduler: string,
  error: string | undefined,
): Update[] {
  return missing.map((h) => {
    const result = readResult(h.files.result);
    const v: Verdict = result
      ? judge(result)
      : {
          outcome: {},
          failure: 'lost',
          message: error
            ? `cannot look the job up: ${error}`
            : `no ${scheduler} job was found for this attempt`,
        };
    return endedUpdate(h, v);
  });
}
