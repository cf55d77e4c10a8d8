import type { Campaign } from '../campaign.js';
import type { Dag } from '../dag.js';
import type { CampaignGraph } from '../graph.js';
import { type NodeTasks, type TaskGraph, type TaskSpec, taskOf } from '../tasks.js';
import type { EdgeNode } from './edges.js';
import { runAware } from './run-ref.js';
import type { NodePlan } from './task.js';

/** 0, 1, …, n - 1: every instance kept. */
export function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** What the edge builder needs of a node's tasks: instance → task, task → instances. */
export function edgeNode(nt: NodeTasks, plan: NodePlan | undefined): EdgeNode {
  if (!plan || !nt.fanout) {
    return { first: nt.first, count: nt.count, taskOfInstance: () => nt.first, instancesOfTask: () => {} };
  }
  const { kept, spread } = plan;
  const n = plan.instances.count;
  let posOf: Int32Array | undefined;
  if (kept.length !== n) {
    posOf = new Int32Array(n).fill(-1);
    for (let p = 0; p < kept.length; p++) posOf[kept[p]!] = p;
  }
  return {
    first: nt.first,
    count: nt.count,
    instances: plan.instances,
    taskOfInstance: (i) => {
      const p = posOf ? posOf[i]! : i;
      if (p < 0) return -1;
      return nt.first + (spread ? spread.taskOf(p) : p);
    },
    instancesOfTask: (k, into) => {
      if (!spread) into.push(kept[k]!);
      else for (let p = spread.start(k); p < spread.end(k); p++) into.push(kept[p]!);
    },
  };
}

/** A campaign without fan-out: one task per node, the node graph as it is. */
export function plainGraph(campaign: Campaign, graph: CampaignGraph): TaskGraph {
  const tasks = graph.tasks.map((node) =>
    runAware(taskOf(campaign, node, node.id, node.command ?? ['true'], {})),
  );
  const nodes = graph.tasks.map((node, v) => ({ node, first: v, count: 1 }));
  const edgeOf = Int32Array.from({ length: graph.edges.length }, (_, e) => e);
  return { tasks, dag: graph.dag, indexOf: graph.indexOf, order: graph.order, nodes, edgeOf };
}

/** The task graph; task ids → vertices are mapped on first use, which `plan` never makes. */
export function makeGraph(
  tasks: TaskSpec[],
  dag: Dag,
  order: Int32Array,
  nodes: NodeTasks[],
  edgeOf: Int32Array,
): TaskGraph {
  let indexOf: Map<string, number> | undefined;
  return {
    tasks,
    dag,
    order,
    nodes,
    edgeOf,
    get indexOf() {
      if (!indexOf) {
        indexOf = new Map();
        for (let v = 0; v < tasks.length; v++) indexOf.set(tasks[v]!.id, v);
      }
      return indexOf;
    },
  };
}
