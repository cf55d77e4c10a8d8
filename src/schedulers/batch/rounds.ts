import { isAbsolute } from 'node:path';
import type { Handle, Submission, SubmitResult } from '../contract.js';
import type { JobBook } from './book.js';
import { attemptKey } from './ledger.js';

/** A submission ready to go: its position in the batch and the upstream handles it waits for. */
export interface Pending {
  readonly position: number;
  readonly submission: Submission;
  readonly after: readonly Handle[];
}

/** How a batch goes to one scheduler in rounds. */
export interface RoundsOptions {
  readonly book: JobBook;
  readonly now: () => number;
  /** The handle with `arrayIndex` filled in from its job id. */
  readonly withIndex: (h: Handle) => Handle;
  /** Whether an upstream that ended well at `at` may be left out of the dependencies now. */
  readonly forget: (at: number, now: number) => boolean;
  /** Whether attempt and upstream result paths must hold no line break (scripts read them as lines). */
  readonly singleLinePaths: boolean;
  /** Submits one round; sets `results` of each member it submitted or could not submit. */
  readonly submitRound: (ready: readonly Pending[], results: (SubmitResult | undefined)[]) => Promise<void>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Submits a batch in rounds: each round takes the submissions whose upstreams all have job
 * ids (upstream handles with an empty job id name submissions of the same batch, which go
 * first), so one batch can carry a whole graph. Submissions that cannot go (bad input, a
 * failed upstream, a cycle) get a failed result with the reason.
 */
export async function submitInRounds(
  batch: readonly Submission[],
  o: RoundsOptions,
): Promise<SubmitResult[]> {
  const results: (SubmitResult | undefined)[] = new Array(batch.length);
  const positionOf = new Map<string, number>();
  for (const [i, s] of batch.entries()) {
    positionOf.set(attemptKey(s.taskId, s.attempt), i);
    const problem = invalid(s, o.singleLinePaths);
    if (problem) results[i] = { ok: false, message: problem };
  }
  let left = batch.map((_, i) => i).filter((i) => !results[i]);
  while (left.length > 0) {
    const ready: Pending[] = [];
    const waiting: number[] = [];
    for (const i of left) {
      const resolved = resolveAfter(batch[i]!, positionOf, results, o);
      if (resolved === 'wait') waiting.push(i);
      else if (typeof resolved === 'string') results[i] = { ok: false, message: resolved };
      else ready.push({ position: i, submission: batch[i]!, after: resolved });
    }
    if (ready.length === 0) {
      for (const i of waiting)
        results[i] = { ok: false, message: 'waits in a cycle on submissions of its own batch' };
      break;
    }
    await o.submitRound(ready, results);
    left = waiting;
  }
  return results.map((r) => r ?? { ok: false, message: 'not submitted' });
}

/**
 * The upstream handles a submission waits for: same-batch names replaced by their handles,
 * jobs this head saw succeed dropped when `forget` says so (the scheduler may have forgotten
 * them). A failed upstream is an error; `wait` while a same-batch upstream is not submitted yet.
 */
function resolveAfter(
  s: Submission,
  positionOf: ReadonlyMap<string, number>,
  results: readonly (SubmitResult | undefined)[],
  o: RoundsOptions,
): Handle[] | string | 'wait' {
  const out: Handle[] = [];
  const now = o.now();
  for (const given of s.after ?? []) {
    let up = o.withIndex(given);
    if (up.jobId === '') {
      const pos = positionOf.get(attemptKey(up.taskId, up.attempt));
      if (pos === undefined) return `upstream ${up.taskId} has no job id and is not in this batch`;
      const r = results[pos];
      if (!r) return 'wait';
      if (!r.ok) return `upstream ${up.taskId} was not submitted: ${r.message}`;
      up = r.handle;
    }
    const end = o.book.endOf(up.jobId);
    if (end && !end.ok) return `upstream ${up.taskId} (job ${up.jobId}) failed`;
    if (end && o.forget(end.at, now)) continue;
    out.push(up);
  }
  return out;
}

/** Why a batch scheduler could not take a submission as it is, if it could not. */
function invalid(s: Submission, singleLine: boolean): string | undefined {
  const bad = Object.keys(s.env).find((k) => !NAME.test(k));
  if (bad !== undefined) return `environment variable name ${JSON.stringify(bad)} is not valid in a shell`;
  for (const p of [s.files.out, s.files.err, s.files.result]) {
    if (!isAbsolute(p)) return `attempt file ${p} is not an absolute path`;
    if (singleLine && /[\n\r]/.test(p)) return `attempt file ${JSON.stringify(p)} has a line break`;
  }
  if (singleLine) {
    for (const h of s.after ?? []) {
      if (/[\n\r]/.test(h.files.result))
        return `upstream result file ${JSON.stringify(h.files.result)} has a line break`;
    }
  }
  if (typeof s.command !== 'string' && s.command.length === 0) return 'empty command';
  return undefined;
}
