import { type CommandRunner, firstLine } from '../batch/runner.js';
import type { Handle } from '../contract.js';
import { baseId, taskRanges } from './ids.js';

/**
 * The qdel arguments for a set of attempts, as few as possible: a whole array job by its id
 * when every task of it still watched is being deleted, else its tasks as `123.1-3`, `123.7`
 * (an array none of whose tasks is watched is never deleted whole). Order is kept: the first
 * handle's job comes first.
 */
export function qdelTargets(handles: readonly Handle[], watched: Iterable<string>): string[] {
  const live = new Map<string, Set<number>>();
  for (const id of watched) {
    const base = baseId(id);
    if (base === id) continue;
    const set = live.get(base) ?? new Set<number>();
    set.add(Number(id.slice(base.length + 1)));
    live.set(base, set);
  }
  const order: string[] = [];
  const tasks = new Map<string, Set<number> | undefined>();
  for (const h of handles) {
    if (h.jobId === '') continue;
    const base = baseId(h.jobId);
    if (!tasks.has(base)) order.push(base);
    if (base === h.jobId) {
      tasks.set(base, undefined);
      continue;
    }
    const set = tasks.get(base) ?? new Set<number>();
    set.add(Number(h.jobId.slice(base.length + 1)));
    tasks.set(base, set);
  }
  const out: string[] = [];
  for (const base of order) {
    const set = tasks.get(base);
    const still = live.get(base);
    if (!set || (still && [...still].every((i) => set.has(i)))) out.push(base);
    else for (const r of taskRanges(set)) out.push(`${base}.${r}`);
  }
  return out;
}

/** Whether a qdel error only says that some of the jobs have already gone. */
const GONE = /does not exist|already (been )?deleted|has already been|not found/i;

/**
 * Deletes jobs with as few qdel calls as possible (2,000 ids a call); jobs that have already
 * left the queue are not an error. Resolves with qdel's message when it failed otherwise.
 */
export async function qdel(run: CommandRunner, targets: readonly string[]): Promise<string | undefined> {
  for (let i = 0; i < targets.length; i += 2000) {
    const r = await run('qdel', targets.slice(i, i + 2000));
    if (r.exitCode === 0) continue;
    const bad = `${r.stderr}\n${r.stdout}`
      .split('\n')
      .map((l) => l.trim())
      // (The runner puts its own "Command failed with exit code 1: ..." where stderr is empty.)
      .filter(
        (l) => /denied|error|unable/i.test(l) && !GONE.test(l) && !/^Command failed with exit code/.test(l),
      );
    if (bad.length > 0) return `qdel: ${bad[0] ?? firstLine(r)}`;
  }
  return undefined;
}
