import { type Diagnostic, diag } from '../../config/diagnostic.js';
import { nearest } from '../../config/suggest.js';
import { refPath } from '../campaign.js';
import type { Dag } from '../dag.js';
import type { NodeEdge } from '../resolve.js';
import type { EdgeNode, Preds } from './edges.js';
import { type Condition, conditionValue } from './selector.js';
import { lookupPath, valueText } from './template.js';

/**
 * A selector whose values come from the dependent instance: `gen[step={step-1}]` makes the
 * instance with `step = 3` wait for the instances of `gen` with `step = 2`. An instance for
 * which no such instance exists (the first step) waits for none. The other conditions of the
 * selector (`[step={step-1},batch=0?]`) filter as usual.
 *
 * Returns the predecessor function, or undefined after a diagnostic.
 */
export function relativePredecessors(
  e: NodeEdge,
  a: EdgeNode,
  b: EdgeNode,
  conditions: readonly Condition[],
  diagnostics: Diagnostic[],
): Preds | undefined {
  const where = { path: refPath(e.ref), part: 'value' as const };
  const relative = conditions.filter((c) => c.relative);
  const fixed = conditions.filter((c) => !c.relative);
  const bi = b.instances;
  if (!bi) {
    const c = relative[0]!;
    diagnostics.push(
      diag(
        'bad-relative-selector',
        `\`${e.ref.text}\`: \`${c.pattern}\` takes \`${c.relative!.key}\` from the instances of \`${e.to}\`, but \`${e.to}\` is not fanned out`,
        where,
        { suggestion: `select fixed values, such as \`${c.key}=1\`` },
      ),
    );
    return undefined;
  }
  for (const c of relative) {
    const rel = c.relative!;
    if (bi.keys.includes(rel.path[0]!)) continue;
    const near = nearest(rel.path[0]!, bi.keys);
    diagnostics.push(
      diag(
        'bad-relative-selector',
        `\`${e.ref.text}\`: the instances of \`${e.to}\` have no \`${rel.key}\` for \`${c.pattern}\`; they have ${bi.keys.map((k) => `\`${k}\``).join(', ')}`,
        where,
        near ? { suggestion: `did you mean \`{${near}${offsetText(rel.offset)}}\`?` } : {},
      ),
    );
    return undefined;
  }
  // The value each dependent instance asks for, per relative condition.
  const wanted = (j: number, c: Condition): string | { error: string } => {
    const rel = c.relative!;
    const v = lookupPath(bi.get(j, rel.path[0]!), rel.path, 1);
    if (v === undefined) return { error: `has no \`${rel.key}\`` };
    if (rel.offset === 0) return valueText(v);
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n))
      return { error: `has \`${rel.key}\` = \`${valueText(v)}\`, not an integer` };
    return String(n + rel.offset);
  };
  const ai = a.instances!;
  const keyOf = (parts: readonly string[]) => parts.join('\u0000');
  const index = new Map<string, number[]>();
  for (let i = 0; i < ai.count; i++) {
    if (!fixed.every((c) => c.test(conditionValue(c, (k) => ai.get(i, k))))) continue;
    const parts: string[] = [];
    for (const c of relative) {
      const v = conditionValue(c, (k) => ai.get(i, k));
      parts.push(v === undefined ? '\u0001' : valueText(v));
    }
    const key = keyOf(parts);
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  }
  // Checked once per dependent instance, so that a bad value is reported at load time.
  const lists: (number[] | undefined)[] = new Array(bi.count);
  let matched = 0;
  for (let j = 0; j < bi.count; j++) {
    const parts: string[] = [];
    for (const c of relative) {
      const w = wanted(j, c);
      if (typeof w !== 'string') {
        const origin = bi.origin(j);
        diagnostics.push(
          diag(
            'bad-relative-selector',
            `\`${e.ref.text}\`: instance \`${bi.id(j)}\`${origin ? ` (${origin})` : ''} of \`${e.to}\` ${w.error}, so \`${c.pattern}\` has no value`,
            where,
            {
              suggestion:
                'an offset such as `{step-1}` needs an integer value; `{step}` takes the value as text',
            },
          ),
        );
        return undefined;
      }
      parts.push(w);
    }
    const list = index.get(keyOf(parts));
    lists[j] = list;
    if (list) matched++;
  }
  if (matched === 0) {
    diagnostics.push(
      diag(
        'empty-selection',
        `\`${e.ref.text}\` selects no instance of \`${e.from}\` for any instance of \`${e.to}\``,
        where,
      ),
    );
    return undefined;
  }
  return (items, emit) => {
    for (const j of items) {
      const list = lists[j];
      if (!list) continue;
      for (const i of list) {
        const t = a.taskOfInstance(i);
        if (t >= 0) emit(t);
      }
    }
  };
}

function offsetText(n: number): string {
  return n === 0 ? '' : n > 0 ? `+${n}` : String(n);
}

/**
 * Cycles between tasks, which only edges between instances (`gen[step={step}]` where the
 * other side waits for `gen` too) can make: each reported once, with the task ids around it
 * and the `depends_on` entries that made its edges.
 */
export function taskCycles(
  dag: Dag,
  cyclic: readonly number[],
  taskIds: (v: number) => string,
  edges: { readonly from: Int32Array; readonly to: Int32Array; readonly of: Int32Array },
  nodeEdges: readonly NodeEdge[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const found of dag.cycles(cyclic).slice(0, 5)) {
    const ring = [...found.map((e) => taskIds(edges.to[e]!)), taskIds(edges.to[found[0]!]!)].join(' → ');
    const made = found.map((e) => nodeEdges[edges.of[e]!]!);
    const head = made.find((n) => n.relative) ?? made[0]!;
    out.push(
      diag(
        'cycle',
        `dependency cycle between instances: ${ring}`,
        { path: refPath(head.ref), part: 'value' },
        {
          related: made.map((n, k) => ({
            message: `\`${taskIds(edges.to[found[k]!]!)}\` waits for \`${taskIds(edges.from[found[k]!]!)}\``,
            where: { path: refPath(n.ref), part: 'value' as const },
          })),
          suggestion: 'an instance cannot wait for itself: select other instances, such as `{step-1}`',
        },
      ),
    );
  }
  return out;
}
