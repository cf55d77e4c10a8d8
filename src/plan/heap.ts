/**
 * A binary heap of task numbers ordered by a key kept in a typed array the caller owns (and
 * must not change while the task is in the heap): largest key first (`'max'`) or smallest
 * (`'min'`), ties by lower task number. No object per entry and no comparison callback, so
 * 100,000 tasks cost one Int32Array and the comparisons stay inline.
 */
export class IntHeap {
  private items: Int32Array;
  private count = 0;
  private readonly sign: number;

  constructor(
    private readonly key: Float64Array,
    order: 'max' | 'min',
    capacity = 16,
  ) {
    this.items = new Int32Array(Math.max(1, capacity));
    this.sign = order === 'max' ? 1 : -1;
  }

  get size(): number {
    return this.count;
  }

  /** Whether task a comes out before task b. */
  before(a: number, b: number): boolean {
    const ka = this.sign * this.key[a]!;
    const kb = this.sign * this.key[b]!;
    return ka > kb || (ka === kb && a < b);
  }

  push(v: number): void {
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    const h = this.items;
    const key = this.key;
    const kv = this.sign * key[v]!;
    let i = this.count++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const up = h[p]!;
      const ku = this.sign * key[up]!;
      if (!(kv > ku || (kv === ku && v < up))) break;
      h[i] = up;
      i = p;
    }
    h[i] = v;
  }

  /** The first item, or -1 when empty. */
  peek(): number {
    return this.count > 0 ? this.items[0]! : -1;
  }

  /** Removes and returns the first item, or -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const h = this.items;
    const key = this.key;
    const s = this.sign;
    const top = h[0]!;
    const last = h[--this.count]!;
    const kl = s * key[last]!;
    const n = this.count;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let kc = s * key[h[l]!]!;
      if (r < n) {
        const kr = s * key[h[r]!]!;
        if (kr > kc || (kr === kc && h[r]! < h[l]!)) {
          c = r;
          kc = kr;
        }
      }
      if (!(kc > kl || (kc === kl && h[c]! < last))) break;
      h[i] = h[c]!;
      i = c;
    }
    if (n > 0) h[i] = last;
    return top;
  }
}
