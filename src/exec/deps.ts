import type { TaskGraph } from '../model/tasks.js';
import { type Board, OUT } from './board.js';

/** What a waiting task still needs from its dependencies. */
export type Unmet = { readonly count: number } | { readonly blockedBy: number };

/**
 * The one dependency predicate: how many of v's dependencies are not yet done, or the first
 * that never will be. A dependency counts as done when it succeeded (or stands from an earlier
 * run), when `heldFor(p, v)` says the scheduler holds v for it, or, for a task that runs after
 * anything, when it has ended in failure in this run.
 */
export function unmet(
  graph: TaskGraph,
  board: Board,
  v: number,
  heldFor: (p: number, v: number) => boolean,
): Unmet {
  const any = graph.tasks[v]!.node.runAfter === 'any';
  let count = 0;
  for (const p of graph.dag.predecessors(v)) {
    if (board.done(p) || heldFor(p, v)) continue;
    if (board.hopeless(p)) {
      // A task that runs after anything still needs its dependencies to be part of the run.
      if (any && board.st[p] !== OUT) continue;
      return { blockedBy: p };
    }
    count++;
  }
  return { count };
}
