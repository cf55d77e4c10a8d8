/** A vertex placed by the layout; `dummy` vertices carry long edges through the layers between. */
export interface Placed {
  readonly layer: number;
  /** Position in its layer, top to bottom. */
  readonly rank: number;
  readonly dummy: boolean;
}

export interface Layout {
  /** The first `n` are the graph's vertices; then the dummies. */
  readonly vertices: readonly Placed[];
  /** Each edge of the input as the chain of vertices it passes through. */
  readonly routes: readonly (readonly number[])[];
  readonly layers: number;
  /** Vertices in the largest layer. */
  readonly height: number;
}

/**
 * A layered (Sugiyama-style) layout of a DAG of `n` vertices: layer = longest path from a
 * source, long edges split by dummy vertices, order in each layer by barycentre sweeps down
 * and up. Vertices on a cycle (there are none in a valid campaign) go to layer 0.
 */
export function layeredLayout(n: number, edges: readonly (readonly [number, number])[], sweeps = 8): Layout {
  const succ: number[][] = Array.from({ length: n }, () => []);
  const indeg = new Int32Array(n);
  for (const [a, b] of edges) {
    succ[a]!.push(b);
    indeg[b]!++;
  }
  const layer = new Int32Array(n);
  const queue: number[] = [];
  for (let v = 0; v < n; v++) if (indeg[v] === 0) queue.push(v);
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of succ[v]!) {
      layer[w] = Math.max(layer[w]!, layer[v]! + 1);
      if (--indeg[w]! === 0) queue.push(w);
    }
  }
  const layerOf: number[] = Array.from(layer);
  const dummy: boolean[] = Array.from({ length: n }, () => false);
  const routes: number[][] = [];
  // Adjacent-layer edges after splitting, for the sweeps.
  const up: number[][] = Array.from({ length: n }, () => []);
  const down: number[][] = Array.from({ length: n }, () => []);
  const link = (a: number, b: number) => {
    down[a]!.push(b);
    up[b]!.push(a);
  };
  for (const [a, b] of edges) {
    const route = [a];
    let prev = a;
    for (let l = layerOf[a]! + 1; l < layerOf[b]!; l++) {
      const d = layerOf.length;
      layerOf.push(l);
      dummy.push(true);
      up.push([]);
      down.push([]);
      link(prev, d);
      route.push(d);
      prev = d;
    }
    if (layerOf[b]! > layerOf[a]!) link(prev, b);
    route.push(b);
    routes.push(route);
  }
  const layers = layerOf.reduce((m, l) => Math.max(m, l + 1), n > 0 ? 1 : 0);
  const rows: number[][] = Array.from({ length: layers }, () => []);
  for (let v = 0; v < layerOf.length; v++) rows[layerOf[v]!]!.push(v);
  const pos = new Float64Array(layerOf.length);
  const renumber = (row: number[]) => {
    for (let i = 0; i < row.length; i++) pos[row[i]!] = i;
  };
  for (const row of rows) renumber(row);
  const order = (row: number[], near: number[][]) => {
    const key = new Map<number, number>();
    for (const v of row) {
      const ns = near[v]!;
      key.set(v, ns.length > 0 ? ns.reduce((s, u) => s + pos[u]!, 0) / ns.length : pos[v]!);
    }
    // Stable: ties keep the current order.
    row.sort((a, b) => key.get(a)! - key.get(b)! || pos[a]! - pos[b]!);
    renumber(row);
  };
  for (let s = 0; s < sweeps; s++) {
    if (s % 2 === 0) for (let l = 1; l < layers; l++) order(rows[l]!, up);
    else for (let l = layers - 2; l >= 0; l--) order(rows[l]!, down);
  }
  const vertices = layerOf.map((l, v) => ({ layer: l, rank: pos[v]!, dummy: dummy[v]! }));
  return { vertices, routes, layers, height: rows.reduce((m, r) => Math.max(m, r.length), 0) };
}
