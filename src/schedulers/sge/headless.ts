import { userInfo } from 'node:os';
import { type CommandRunner, execaRunner } from '../batch/runner.js';
import { qdel } from './cancel.js';
import { baseId, taskRanges } from './ids.js';
import { queryQueue } from './qstat.js';

/** How the functions for a run with no head reach Grid Engine. */
export interface HeadlessOptions {
  /** Runs the Grid Engine commands (default: the real ones, with `env`). */
  readonly run?: CommandRunner;
  readonly env?: NodeJS.ProcessEnv;
  /** Whose jobs qstat lists (default: the current user). */
  readonly user?: string;
}

const runnerOf = (o: HeadlessOptions) => o.run ?? execaRunner(o.env);

/**
 * Deletes the jobs of a run that has no head (`campaign cancel` after a crash or a detach),
 * with one qdel for all of them (tasks of one array job folded into ranges: `123.1-40`).
 * Jobs that have already left the queue are not an error.
 */
export async function cancelJobs(
  jobIds: readonly string[],
  opts: HeadlessOptions = {},
): Promise<{ ok: true } | { ok: false; message: string }> {
  const plain = new Set<string>();
  const tasks = new Map<string, Set<number>>();
  for (const id of jobIds) {
    if (id === '') continue;
    const base = baseId(id);
    if (base === id) {
      plain.add(id);
      continue;
    }
    const set = tasks.get(base) ?? new Set<number>();
    set.add(Number(id.slice(base.length + 1)));
    tasks.set(base, set);
  }
  const targets = [...plain];
  for (const [base, set] of tasks) {
    if (plain.has(base)) continue;
    for (const r of taskRanges(set)) targets.push(`${base}.${r}`);
  }
  if (targets.length === 0) return { ok: true };
  const error = await qdel(runnerOf(opts), targets);
  return error ? { ok: false, message: error } : { ok: true };
}

/**
 * Which of these job ids (`123`, `123.4`) Grid Engine still lists, pending, running or in
 * the error state, with one qstat. An array job's id counts while any of its tasks is listed.
 */
export async function jobsInQueue(
  jobIds: readonly string[],
  opts: HeadlessOptions = {},
): Promise<{ ok: true; live: Set<string> } | { ok: false; message: string }> {
  const q = await queryQueue(runnerOf(opts), opts.user ?? userInfo().username);
  if (!q.ok) return q;
  const listed = new Set<string>();
  for (const id of q.rows.keys()) {
    listed.add(id);
    listed.add(baseId(id));
  }
  return { ok: true, live: new Set(jobIds.filter((id) => listed.has(id))) };
}
