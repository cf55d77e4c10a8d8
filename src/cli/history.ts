import type { TaskGraph } from '../model/tasks.js';
import { type NodeHistory, type RightSized, rightSize } from '../plan/history.js';
import { type AttemptRecord, nodeHistories } from '../plan/history-records.js';
import { taskUnits, unitOf, unitScalings } from '../plan/per-unit.js';
import type { SizedTasks } from '../plan/size-tasks.js';
import { readJournal } from '../state/journal.js';
import type { StateStore } from '../state/store.js';

/**
 * Right-sizing from what the campaign's recorded runs used: every run's journal, oldest
 * first, folded into each node's history, against what the node asks for now (its sized
 * request). Nodes in document order; nodes that never ran are left out.
 */
export function rightSizeFromHistory(
  store: StateStore,
  tasks: TaskGraph,
  sized: SizedTasks,
  inputBytes: (task: number) => number | undefined = () => undefined,
): RightSized[] {
  const nodeOfTask = (id: string): string | undefined => {
    const v = tasks.indexOf.get(id);
    return v === undefined ? undefined : tasks.tasks[v]!.node.id;
  };
  const order = new Map(tasks.nodes.map((nt, i) => [nt.node.id, i]));
  const byId = new Map(tasks.nodes.map((nt) => [nt.node.id, nt]));
  const runs = store.runIds().map((run) => readJournal(store.paths.journal(run)) as AttemptRecord[]);
  const histories: NodeHistory[] = nodeHistories(
    runs,
    nodeOfTask,
    (node) => {
      const nt = byId.get(node);
      if (!nt || nt.count === 0) return undefined;
      const s = sized.byNode.get(node);
      const memory = s?.memory?.request ?? nt.node.resources.memory;
      const runtime = s?.runtime?.request ?? nt.node.resources.runtime;
      return {
        cores: nt.node.resources.cores,
        ...(memory !== undefined ? { memory } : {}),
        ...(runtime !== undefined ? { runtime } : {}),
      };
    },
    (node) => byId.get(node)?.node.headroom,
    {
      unitsOf: (id) => {
        const v = tasks.indexOf.get(id);
        if (v === undefined) return undefined;
        const t = tasks.tasks[v]!;
        const unit = unitOf(unitScalings(t.node.scaling));
        return unit ? taskUnits(t, unit, inputBytes(v)) : undefined;
      },
      scalingOf: (node) => unitScalings(byId.get(node)?.node.scaling),
    },
  );
  histories.sort((a, b) => (order.get(a.node) ?? 0) - (order.get(b.node) ?? 0));
  return rightSize(histories);
}
