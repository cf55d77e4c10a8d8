import type { Handle } from '../contract.js';
import { arraySpec, baseId } from './array-spec.js';

/**
 * The scancel arguments for a set of attempts, as few as possible: a whole array by its id
 * when every task of it still watched is being cancelled, else its tasks as `id_[1-3,7]`
 * (an array none of whose tasks is watched is never cancelled whole).
 */
export function scancelTargets(handles: readonly Handle[], watched: Iterable<string>): string[] {
  const live = new Map<string, Set<number>>();
  for (const id of watched) {
    if (!id.includes('_')) continue;
    const base = baseId(id);
    const set = live.get(base) ?? new Set<number>();
    set.add(Number(id.slice(base.length + 1)));
    live.set(base, set);
  }
  const plain = new Set<string>();
  const tasks = new Map<string, Set<number>>();
  for (const h of handles) {
    if (h.jobId === '') continue;
    if (h.arrayIndex === undefined || !h.jobId.includes('_')) {
      plain.add(h.jobId);
      continue;
    }
    const base = baseId(h.jobId);
    const set = tasks.get(base) ?? new Set<number>();
    set.add(h.arrayIndex);
    tasks.set(base, set);
  }
  const out = [...plain];
  for (const [base, set] of tasks) {
    const still = live.get(base);
    if (still && [...still].every((i) => set.has(i))) out.push(base);
    else out.push(set.size === 1 ? `${base}_${[...set][0]}` : `${base}_[${arraySpec([...set])}]`);
  }
  return out;
}
