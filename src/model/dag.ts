/**
 * A compact directed graph over vertices 0..n-1, stored as CSR arrays. Building 200k edges
 * costs a few typed-array passes instead of a map entry per edge.
 */
export class Dag {
  private constructor(
    readonly size: number,
    /** succ[succStart[v] .. succStart[v+1]) are the vertices that wait for v. */
    readonly succStart: Int32Array,
    readonly succ: Int32Array,
    /** The edge number of each succ entry (the order edges were added in). */
    readonly succEdge: Int32Array,
    readonly predStart: Int32Array,
    readonly pred: Int32Array,
  ) {}

  /** Builds the graph from parallel arrays of edges `from → to` (from must finish first). */
  static build(size: number, from: ArrayLike<number>, to: ArrayLike<number>): Dag {
    const m = from.length;
    const succStart = new Int32Array(size + 1);
    const predStart = new Int32Array(size + 1);
    for (let e = 0; e < m; e++) {
      succStart[from[e]! + 1]!++;
      predStart[to[e]! + 1]!++;
    }
    for (let v = 0; v < size; v++) {
      succStart[v + 1]! += succStart[v]!;
      predStart[v + 1]! += predStart[v]!;
    }
    const succ = new Int32Array(m);
    const succEdge = new Int32Array(m);
    const pred = new Int32Array(m);
    const sFill = succStart.slice(0, size);
    const pFill = predStart.slice(0, size);
    for (let e = 0; e < m; e++) {
      const a = from[e]!;
      const b = to[e]!;
      const i = sFill[a]!++;
      succ[i] = b;
      succEdge[i] = e;
      pred[pFill[b]!++] = a;
    }
    return new Dag(size, succStart, succ, succEdge, predStart, pred);
  }

  get edgeCount(): number {
    return this.succ.length;
  }

  successors(v: number): Int32Array {
    return this.succ.subarray(this.succStart[v]!, this.succStart[v + 1]!);
  }

  predecessors(v: number): Int32Array {
    return this.pred.subarray(this.predStart[v]!, this.predStart[v + 1]!);
  }

  inDegree(v: number): number {
    return this.predStart[v + 1]! - this.predStart[v]!;
  }

  outDegree(v: number): number {
    return this.succStart[v + 1]! - this.succStart[v]!;
  }

  /** A topological order (Kahn, stable by vertex number), or the vertices left on cycles. */
  topoOrder(): { order: Int32Array; cyclic: number[] } {
    const n = this.size;
    const indeg = new Int32Array(n);
    for (let v = 0; v < n; v++) indeg[v] = this.inDegree(v);
    const order = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) if (indeg[v] === 0) order[tail++] = v;
    while (head < tail) {
      const v = order[head++]!;
      for (let i = this.succStart[v]!; i < this.succStart[v + 1]!; i++) {
        const w = this.succ[i]!;
        if (--indeg[w]! === 0) order[tail++] = w;
      }
    }
    const cyclic: number[] = [];
    if (tail < n) for (let v = 0; v < n; v++) if (indeg[v]! > 0) cyclic.push(v);
    return { order: order.subarray(0, tail), cyclic };
  }

  /**
   * One simple cycle per strongly connected component among `within`, each as its list of edge
   * numbers in order. Iterative Tarjan, so deep graphs do not overflow the stack.
   */
  cycles(within: readonly number[]): number[][] {
    const inSet = new Uint8Array(this.size);
    for (const v of within) inSet[v] = 1;
    const index = new Int32Array(this.size).fill(-1);
    const low = new Int32Array(this.size);
    const onStack = new Uint8Array(this.size);
    const stack: number[] = [];
    const comp = new Int32Array(this.size).fill(-1);
    let counter = 0;
    let comps = 0;
    const components: number[][] = [];
    for (const root of within) {
      if (index[root] !== -1) continue;
      const work: [number, number][] = [[root, this.succStart[root]!]];
      index[root] = low[root] = counter++;
      stack.push(root);
      onStack[root] = 1;
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const v = frame[0];
        if (frame[1] < this.succStart[v + 1]!) {
          const w = this.succ[frame[1]++]!;
          if (!inSet[w]) continue;
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = 1;
            work.push([w, this.succStart[w]!]);
          } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        } else {
          work.pop();
          const parent = work[work.length - 1];
          if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
          if (low[v] === index[v]) {
            const members: number[] = [];
            let w: number;
            do {
              w = stack.pop()!;
              onStack[w] = 0;
              comp[w] = comps;
              members.push(w);
            } while (w !== v);
            comps++;
            components.push(members);
          }
        }
      }
    }
    const out: number[][] = [];
    for (const members of components) {
      const start = Math.min(...members);
      const c = comp[start]!;
      // Shortest way from start back to itself inside the component (BFS over edges).
      const viaEdge = new Map<number, number>();
      const prevVertex = new Map<number, number>();
      const queue = [start];
      let closing = -1;
      for (let qi = 0; qi < queue.length && closing < 0; qi++) {
        const v = queue[qi]!;
        for (let i = this.succStart[v]!; i < this.succStart[v + 1]!; i++) {
          const w = this.succ[i]!;
          if (comp[w] !== c) continue;
          if (w === start) {
            closing = i;
            prevVertex.set(-1, v);
            break;
          }
          if (!viaEdge.has(w)) {
            viaEdge.set(w, i);
            prevVertex.set(w, v);
            queue.push(w);
          }
        }
      }
      if (closing < 0) continue; // a single vertex without a self-loop
      const edges = [this.succEdge[closing]!];
      let v = prevVertex.get(-1)!;
      while (v !== start) {
        edges.push(this.succEdge[viaEdge.get(v)!]!);
        v = prevVertex.get(v)!;
      }
      out.push(edges.reverse());
    }
    return out;
  }
}
