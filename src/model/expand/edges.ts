import { type Diagnostic, diag } from '../../config/diagnostic.js';
import { nearest } from '../../config/suggest.js';
import { refPath } from '../campaign.js';
import type { NodeEdge } from '../resolve.js';
import { stableJson } from '../tasks.js';
import type { Instances } from './instances.js';
import { relativePredecessors } from './relative.js';
import { conditionValue, type InstanceSelector, parseSelector } from './selector.js';

/** What the edge builder needs of a node: its tasks, and its fan-out if any. */
export interface EdgeNode {
  readonly first: number;
  readonly count: number;
  readonly instances?: Instances;
  /** Global task of instance i, or -1 when the instance was left out as complete. */
  taskOfInstance(i: number): number;
  /** The instances a task runs. */
  instancesOfTask(k: number, into: number[]): void;
}

/** How the instances of a dependency's two ends are paired, for `plan` and `graph`. */
export type Pairing =
  | { readonly kind: 'single' }
  | { readonly kind: 'all' }
  | { readonly kind: 'one-to-one' }
  | { readonly kind: 'shared'; readonly keys: readonly string[] }
  | { readonly kind: 'selector'; readonly text: string };

/** Task edges as parallel typed arrays: edge e is from[e] → to[e], made by node edge of[e]. */
export interface TaskEdges {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly of: Int32Array;
  readonly count: number;
  /** Per node edge, how its ends were paired. */
  readonly pairing: readonly Pairing[];
}

/** Above this many task edges a campaign is refused: the dependency is almost surely wrong. */
export const MAX_TASK_EDGES = 50_000_000;

class Growable {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Turns node edges into task edges. Between fanned-out nodes a plain dependency pairs the
 * instances that agree on the keys both sides have (the same keys: one to one; none: all of
 * them); `[*]` takes all instances, `[key=glob]` and `[id-glob]` select some.
 */
export function buildTaskEdges(
  edges: readonly NodeEdge[],
  nodeOf: ReadonlyMap<string, EdgeNode>,
  taskCount: number,
  diagnostics: Diagnostic[],
): TaskEdges | undefined {
  const from = new Growable();
  const to = new Growable();
  const of = new Growable();
  const pairing: Pairing[] = [];
  const stamp = new Int32Array(taskCount).fill(-1);
  // Each target's edges are built task by task, so one stamp per source task removes duplicates.
  const byTarget = new Map<string, number[]>();
  edges.forEach((e, n) => {
    const list = byTarget.get(e.to);
    if (list) list.push(n);
    else byTarget.set(e.to, [n]);
  });
  const items: number[] = [];
  for (const [target, list] of byTarget) {
    const b = nodeOf.get(target)!;
    const preds = list.map((n) => {
      const { fn, pair } = predecessorsFor(edges[n]!, nodeOf.get(edges[n]!.from)!, b, diagnostics);
      pairing[n] = pair;
      return fn;
    });
    if (preds.some((p) => p === undefined)) continue;
    let budget = 0;
    for (let n = 0; n < list.length; n++) budget += estimate(edges[list[n]!]!, pairing[list[n]!]!, nodeOf);
    if (from.length + budget > MAX_TASK_EDGES) {
      diagnostics.push(tooMany(edges[list[0]!]!, target, budget));
      return undefined;
    }
    for (let k = 0; k < b.count; k++) {
      const t = b.first + k;
      items.length = 0;
      if (b.instances) b.instancesOfTask(k, items);
      for (let n = 0; n < list.length; n++) {
        const edgeNo = list[n]!;
        preds[n]!(items, (p) => {
          if (stamp[p] === t) return;
          stamp[p] = t;
          from.push(p);
          to.push(t);
          of.push(edgeNo);
        });
      }
      // Pairing on shared keys can multiply beyond the estimate: stop before memory runs out.
      if (from.length > MAX_TASK_EDGES) {
        diagnostics.push(tooMany(edges[list[0]!]!, target, from.length));
        return undefined;
      }
    }
  }
  return { from: from.done(), to: to.done(), of: of.done(), count: from.length, pairing };
}

function tooMany(e: NodeEdge, target: string, count: number): Diagnostic {
  return diag(
    'too-many-edges',
    `the dependencies of \`${target}\` would make at least ${count.toLocaleString('en-US')} task edges (at most ${MAX_TASK_EDGES.toLocaleString('en-US')} are allowed)`,
    { path: refPath(e.ref), part: 'value' },
    {
      suggestion:
        'pair instances on shared keys, select some with [key=value], or depend on a node that gathers them',
    },
  );
}

export type Emit = (task: number) => void;
export type Preds = (items: readonly number[], emit: Emit) => void;

function estimate(e: NodeEdge, pair: Pairing, nodeOf: ReadonlyMap<string, EdgeNode>): number {
  const a = nodeOf.get(e.from)!;
  const b = nodeOf.get(e.to)!;
  return pair.kind === 'all' || pair.kind === 'selector' ? a.count * b.count : Math.max(a.count, b.count);
}

function predecessorsFor(
  e: NodeEdge,
  a: EdgeNode,
  b: EdgeNode,
  diagnostics: Diagnostic[],
): { fn?: Preds; pair: Pairing } {
  const allOf = (emit: Emit) => {
    for (let k = 0; k < a.count; k++) emit(a.first + k);
  };
  if (e.selector !== undefined) {
    const chosen = selectTasks(e, a, b, diagnostics);
    const pair: Pairing = { kind: 'selector', text: e.selector.trim() };
    if (!chosen) return { pair };
    if (typeof chosen === 'function') return { fn: chosen, pair };
    return { fn: (_, emit) => chosen.forEach(emit), pair };
  }
  if (!a.instances) return { fn: (_, emit) => emit(a.first), pair: { kind: 'single' } };
  if (!b.instances) return { fn: (_, emit) => allOf(emit), pair: { kind: 'all' } };
  const ai = a.instances;
  const bi = b.instances;
  const shared = bi.keys.filter((k) => ai.keys.includes(k));
  if (shared.length === 0) return { fn: (_, emit) => allOf(emit), pair: { kind: 'all' } };
  const viaInstance = (emit: Emit) => (i: number) => {
    const t = a.taskOfInstance(i);
    if (t >= 0) emit(t);
  };
  const prefix = scopePrefix(ai, bi);
  const sameKeys = shared.length === ai.keys.length && shared.length === bi.keys.length;
  if (prefix !== undefined) {
    // b's fan-out is an outer part of a's (or the same): instance j of b covers a range of a's.
    const { ratio, aInner } = prefix;
    const pair: Pairing = ratio === 1 ? { kind: 'one-to-one' } : { kind: 'shared', keys: shared };
    return {
      fn: (items, emit) => {
        const via = viaInstance(emit);
        for (const j of items) {
          if (aInner) for (let i = j * ratio; i < (j + 1) * ratio; i++) via(i);
          else via(Math.floor(j / ratio));
        }
      },
      pair,
    };
  }
  if (sameKeys && ai.count === bi.count && sameValues(ai, bi, shared)) {
    return {
      fn: (items, emit) => {
        const via = viaInstance(emit);
        for (const j of items) via(j);
      },
      pair: { kind: 'one-to-one' },
    };
  }
  const index = new Map<string, number[]>();
  for (let i = 0; i < ai.count; i++) {
    const key = compositeKey(ai, i, shared);
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  }
  return {
    fn: (items, emit) => {
      const via = viaInstance(emit);
      for (const j of items) {
        const list = index.get(compositeKey(bi, j, shared));
        if (list) for (const i of list) via(i);
      }
    },
    pair: sameKeys ? { kind: 'one-to-one' } : { kind: 'shared', keys: shared },
  };
}

/**
 * When one side's fan-outs are the outer part of the other's (a node and its group, or two
 * nodes of one group), instances pair by arithmetic. `aInner`: a has the extra inner fan-outs.
 */
function scopePrefix(a: Instances, b: Instances): { ratio: number; aInner: boolean } | undefined {
  const [short, long, aInner] = a.scopes.length >= b.scopes.length ? [b, a, true] : [a, b, false];
  for (let s = 0; s < short.scopes.length; s++) if (short.scopes[s] !== long.scopes[s]) return undefined;
  // An inner fan-out that repeats an outer key would pair differently; leave it to the general way.
  const outer = new Set(short.keys);
  for (let s = short.scopes.length; s < long.scopes.length; s++) {
    if (long.scopes[s]!.keys.some((k) => outer.has(k))) return undefined;
  }
  return { ratio: long.count / short.count, aInner };
}

function sameValues(a: Instances, b: Instances, keys: readonly string[]): boolean {
  for (let i = 0; i < a.count; i++) {
    for (const k of keys) if (valueKey(a.get(i, k)) !== valueKey(b.get(i, k))) return false;
  }
  return true;
}

/** Values compare as text, so a CSV's "3" pairs with a matrix's 3. */
function valueKey(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return '\u0001';
  return stableJson(v);
}

function compositeKey(s: Instances, i: number, keys: readonly string[]): string {
  if (keys.length === 1) return valueKey(s.get(i, keys[0]!));
  let out = '';
  for (const k of keys) out += `${valueKey(s.get(i, k))}\u0000`;
  return out;
}

/**
 * The tasks of `a` that hold an instance the selector picks (or, for a selector with values of
 * the dependent instance, how to find them per instance); undefined after a diagnostic.
 */
function selectTasks(
  e: NodeEdge,
  a: EdgeNode,
  b: EdgeNode,
  diagnostics: Diagnostic[],
): number[] | Preds | undefined {
  const where = { path: refPath(e.ref), part: 'value' as const };
  const parsed = parseSelector(e.selector!);
  if (!parsed.ok) {
    diagnostics.push(diag('bad-selector', `\`${e.ref.text}\`: ${parsed.message}`, where));
    return undefined;
  }
  const sel: InstanceSelector = parsed.selector;
  if (!a.instances) {
    if (sel.kind === 'all') return [a.first];
    diagnostics.push(
      diag(
        'not-fanned-out',
        `\`${e.ref.text}\` selects instances, but \`${e.from}\` is not fanned out`,
        where,
        {
          suggestion: `depend on \`${e.ref.text.slice(0, e.ref.text.indexOf('['))}\``,
        },
      ),
    );
    return undefined;
  }
  const inst = a.instances;
  if (sel.kind === 'values') {
    for (const c of sel.conditions) {
      if (inst.keys.includes(c.path[0]!)) continue;
      const near = nearest(c.path[0]!, inst.keys);
      diagnostics.push(
        diag(
          'unknown-selector-key',
          `\`${e.ref.text}\`: the instances of \`${e.from}\` have no \`${c.key}\`; they have ${inst.keys.map((k) => `\`${k}\``).join(', ')}`,
          where,
          near ? { suggestion: `did you mean \`${near}\`?` } : {},
        ),
      );
      return undefined;
    }
    if (sel.conditions.some((c) => c.relative))
      return relativePredecessors(e, a, b, sel.conditions, diagnostics);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  let matched = 0;
  for (let i = 0; i < inst.count; i++) {
    const hit =
      sel.kind === 'all' ||
      (sel.kind === 'id'
        ? sel.test(inst.id(i))
        : sel.conditions.every((c) => c.test(conditionValue(c, (k) => inst.get(i, k)))));
    if (!hit) continue;
    matched++;
    const t = a.taskOfInstance(i);
    if (t >= 0 && !seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  if (matched === 0) {
    diagnostics.push(
      diag('empty-selection', `\`${e.ref.text}\` selects no instance of \`${e.from}\``, where),
    );
    return undefined;
  }
  return out;
}
