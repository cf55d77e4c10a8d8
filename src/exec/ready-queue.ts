/**
 * Ready tasks by priority: the longest remaining path first (by declared runtime), then
 * document order. A binary heap over task numbers with the keys in a typed array.
 */
export class ReadyQueue {
  private heap: number[] = [];

  constructor(private readonly rank: Float64Array) {}

  get size(): number {
    return this.heap.length;
  }

  private before(a: number, b: number): boolean {
    const ra = this.rank[a]!;
    const rb = this.rank[b]!;
    return ra > rb || (ra === rb && a < b);
  }

  push(v: number): void {
    const h = this.heap;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): number | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  peek(): number | undefined {
    return this.heap[0];
  }

  /** Restores the order after the ranks changed: a sorted array is a heap (O(n log n)). */
  reorder(): void {
    this.heap.sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
  }
}

/** Bottom level of each vertex: its runtime plus the longest runtime path after it. */
export function remainingPath(
  order: Int32Array,
  successors: (v: number) => ArrayLike<number>,
  runtime: (v: number) => number,
): Float64Array {
  const rank = new Float64Array(order.length);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    let best = 0;
    const succ = successors(v);
    for (let j = 0; j < succ.length; j++) best = Math.max(best, rank[succ[j]!]!);
    rank[v] = runtime(v) + best;
  }
  return rank;
}
