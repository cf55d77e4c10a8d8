import type { DagArrays } from './schedule.js';

/** Kahn's order, stable by task number; tasks on cycles are left out. */
export function topologicalOrder(dag: DagArrays): Int32Array {
  const n = dag.size;
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) indeg[v] = dag.predStart[v + 1]! - dag.predStart[v]!;
  const order = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let v = 0; v < n; v++) if (indeg[v] === 0) order[tail++] = v;
  while (head < tail) {
    const v = order[head++]!;
    for (let j = dag.succStart[v]!; j < dag.succStart[v + 1]!; j++) {
      const w = dag.succ[j]!;
      if (--indeg[w]! === 0) order[tail++] = w;
    }
  }
  return order.subarray(0, tail);
}

/** Each task's runtime plus the longest runtime path after it (its priority). */
export function bottomLevels(dag: DagArrays, order: Int32Array, runtime: ArrayLike<number>): Float64Array {
  const rank = new Float64Array(dag.size);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    let best = 0;
    for (let j = dag.succStart[v]!; j < dag.succStart[v + 1]!; j++) {
      const r = rank[dag.succ[j]!]!;
      if (r > best) best = r;
    }
    rank[v] = runtime[v]! + best;
  }
  return rank;
}

/** The longest path by runtime, from the bottom levels: a lower bound on any makespan. */
export function criticalPathOf(
  dag: DagArrays,
  order: Int32Array,
  rank: Float64Array,
): { tasks: Int32Array; seconds: number } {
  let v = -1;
  for (let i = 0; i < order.length; i++) {
    const u = order[i]!;
    if (v < 0 || rank[u]! > rank[v]! || (rank[u] === rank[v] && u < v)) v = u;
  }
  if (v < 0) return { tasks: new Int32Array(0), seconds: 0 };
  const seconds = rank[v]!;
  const path: number[] = [];
  while (v >= 0) {
    path.push(v);
    let next = -1;
    for (let j = dag.succStart[v]!; j < dag.succStart[v + 1]!; j++) {
      const w = dag.succ[j]!;
      if (next < 0 || rank[w]! > rank[next]! || (rank[w] === rank[next] && w < next)) next = w;
    }
    v = next;
  }
  return { tasks: Int32Array.from(path), seconds };
}
