import type { TaskInfo } from '../../exec/events.js';

/** Number of task states; row counts are stored as `row * STATES + stateIndex`. */
export const STATES = 7;

/** The stderr/stdout of one attempt, remembered per row so `l` can show the latest one. */
export interface LogRef {
  readonly taskId: string;
  readonly out: string;
  readonly err: string;
}

/**
 * The subcampaign tree the dashboard draws: one row per group and one per node. A fanned-out
 * node is one row however many instances it has. Structure is fixed once the run starts;
 * the reducer updates the counters in place.
 */
export interface Rows {
  readonly size: number;
  /** Normalised path: `ensemble`, `ensemble.member`. */
  readonly key: readonly string[];
  /** Label under the parent row. */
  readonly name: readonly string[];
  readonly isGroup: Uint8Array;
  /** Node rows whose tasks are instances of a fan-out (rather than the node itself). */
  readonly isFanout: Uint8Array;
  readonly parent: Int32Array;
  readonly depth: Uint8Array;
  readonly children: readonly (readonly number[])[];
  readonly roots: readonly number[];
  readonly total: Int32Array;
  readonly counts: Int32Array;
  /** When the first task of the row started (NaN before). */
  readonly firstStart: Float64Array;
  /** Set once the row's completion was reported (or it was complete when the run began). */
  readonly announced: Uint8Array;
  readonly lastLog: (LogRef | undefined)[];
  readonly lastFailureLog: (LogRef | undefined)[];
}

/** Splits a dotted path, leaving dots inside `[...]` instance suffixes alone (`sim[x=0.5]`). */
export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '.' && depth === 0) {
      parts.push(path.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(path.slice(start));
  return parts.filter((p) => p !== '');
}

/** `ens[m=3]` → `ens`: instances of a fanned-out group fold into one row. */
function stripInstance(segment: string): string {
  const s = segment.replace(/\[[^\]]*\]/g, '');
  return s === '' ? segment : s;
}

/** Builds the rows for a run's tasks and the row of each task. O(tasks + distinct paths). */
export function buildRows(tasks: readonly TaskInfo[]): { rows: Rows; taskRow: Int32Array } {
  const key: string[] = [];
  const name: string[] = [];
  const isGroup: number[] = [];
  const isFanout: number[] = [];
  const parent: number[] = [];
  const depth: number[] = [];
  const children: number[][] = [];
  const roots: number[] = [];
  const byKey = new Map<string, number>();
  const add = (k: string, label: string, group: boolean, up: number): number => {
    const r = key.length;
    key.push(k);
    name.push(label);
    isGroup.push(group ? 1 : 0);
    isFanout.push(0);
    parent.push(up);
    depth.push(up < 0 ? 0 : depth[up]! + 1);
    children.push([]);
    if (up < 0) roots.push(r);
    else children[up]!.push(r);
    byKey.set(`${group ? 'g' : 'n'}:${k}`, r);
    return r;
  };
  const groupRow = new Map<string, { row: number; key: string }>();
  const groupOf = (path: string): { row: number; key: string } => {
    const cached = groupRow.get(path);
    if (cached) return cached;
    let up = -1;
    let k = '';
    for (const seg of splitPath(path).map(stripInstance)) {
      k = k === '' ? seg : `${k}.${seg}`;
      up = byKey.get(`g:${k}`) ?? add(k, seg, true, up);
    }
    const found = { row: up, key: k };
    groupRow.set(path, found);
    return found;
  };
  const nodeRow = new Map<string, number>();
  const taskRow = new Int32Array(tasks.length);
  tasks.forEach((t, i) => {
    const cacheKey = `${t.group}\u0000${t.node}`;
    let r = nodeRow.get(cacheKey);
    if (r === undefined) {
      const g = groupOf(t.group);
      const nk = splitPath(t.node).map(stripInstance).join('.');
      r = byKey.get(`n:${nk}`);
      if (r === undefined) {
        const label = g.key !== '' && nk.startsWith(`${g.key}.`) ? nk.slice(g.key.length + 1) : nk;
        r = add(nk, label, false, g.row);
      }
      nodeRow.set(cacheKey, r);
    }
    taskRow[i] = r;
    if (t.id !== t.node) isFanout[r] = 1;
  });
  const size = key.length;
  const total = new Int32Array(size);
  for (let i = 0; i < tasks.length; i++) {
    for (let r = taskRow[i]!; r >= 0; r = parent[r]!) total[r]!++;
  }
  for (let r = 0; r < size; r++) {
    // A node with several tasks is a fan-out even if the engine reused the node id for one of them.
    if (!isGroup[r] && total[r]! > 1) isFanout[r] = 1;
  }
  const rows: Rows = {
    size,
    key,
    name,
    isGroup: Uint8Array.from(isGroup),
    isFanout: Uint8Array.from(isFanout),
    parent: Int32Array.from(parent),
    depth: Uint8Array.from(depth),
    children,
    roots,
    total,
    counts: new Int32Array(size * STATES),
    firstStart: new Float64Array(size).fill(Number.NaN),
    announced: new Uint8Array(size),
    lastLog: new Array<LogRef | undefined>(size).fill(undefined),
    lastFailureLog: new Array<LogRef | undefined>(size).fill(undefined),
  };
  return { rows, taskRow };
}

/** Tasks of the row that are not finished yet (pending, queued, running). */
export function activeIn(rows: Rows, r: number): number {
  const b = r * STATES;
  return rows.counts[b]! + rows.counts[b + 1]! + rows.counts[b + 2]!;
}

/**
 * Which groups to open when the user has not said: breadth first, a group opens if its children
 * still fit in `budget` rows. Explicit choices in `explicit` always win.
 */
export function autoExpanded(
  rows: Rows,
  budget: number,
  explicit: ReadonlyMap<number, boolean>,
  include?: (r: number) => boolean,
): Set<number> {
  const kidsOf = (r: number): readonly number[] =>
    include ? rows.children[r]!.filter(include) : rows.children[r]!;
  const open = new Set<number>();
  const queue = include ? rows.roots.filter(include) : [...rows.roots];
  let shown = queue.length;
  for (let k = 0; k < queue.length; k++) {
    const r = queue[k]!;
    if (!rows.isGroup[r]) continue;
    const choice = explicit.get(r);
    if (choice === false) continue;
    const kids = kidsOf(r);
    if (choice === true || shown + kids.length <= budget) {
      open.add(r);
      shown += kids.length;
      for (const kid of kids) queue.push(kid);
    }
  }
  return open;
}

/** The rows on screen, in tree order, given which groups are open. */
export function visibleOrder(
  rows: Rows,
  open: ReadonlySet<number>,
  include?: (r: number) => boolean,
): number[] {
  const out: number[] = [];
  const stack = (include ? rows.roots.filter(include) : [...rows.roots]).reverse();
  while (stack.length > 0) {
    const r = stack.pop()!;
    out.push(r);
    if (open.has(r)) {
      const kids = rows.children[r]!;
      for (let i = kids.length - 1; i >= 0; i--) if (!include || include(kids[i]!)) stack.push(kids[i]!);
    }
  }
  return out;
}
