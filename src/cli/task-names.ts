import { Action, planRun } from '../exec/select.js';
import type { TaskGraph } from '../model/tasks.js';
import type { StateStore } from '../state/store.js';

/** The tasks a name means, or why it means none. */
export type NamedTasks = { ok: true; ids: string[] } | { ok: false; message: string };

/**
 * The tasks a name means, the same way everywhere (`logs TASK`, `--only`, `--from`, …): a task
 * id (`pipeline.process[ZAF]`), a node or group path or glob (`pipeline.process`), a bare node
 * name (`process`), or any of these with an instance selector (`process[ZAF]`,
 * `process[country=Z*]`). A task the campaign no longer lists but whose attempts are recorded
 * is still named by its id.
 */
export function namedTasks(graph: TaskGraph, store: StateStore, name: string): NamedTasks {
  if (graph.indexOf.has(name) || store.tasks.has(name)) return { ok: true, ids: [name] };
  // The selection of a run resolves `--only`: ask it, so that the two cannot drift apart.
  const r = planRun(graph, store, { only: [name], force: true });
  if (!r.ok) return r;
  const ids: string[] = [];
  graph.tasks.forEach((t, v) => {
    if (r.plan.action[v] === Action.Run) ids.push(t.id);
  });
  return { ok: true, ids };
}

/** The one task a name means; a name of several tasks lists some of them. */
export function oneTask(
  graph: TaskGraph,
  store: StateStore,
  name: string,
): { ok: true; id: string } | { ok: false; message: string } {
  const r = namedTasks(graph, store, name);
  if (!r.ok) return r;
  const [id, ...more] = r.ids;
  if (id === undefined) return { ok: false, message: `no task matches '${name}'` };
  if (more.length === 0) return { ok: true, id };
  const shown = r.ids.slice(0, 5).join(', ');
  return {
    ok: false,
    message: `'${name}' names ${r.ids.length} tasks (${shown}${r.ids.length > 5 ? ', …' : ''}); give one of them`,
  };
}
