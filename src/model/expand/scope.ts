import { type Diagnostic, type DocPath, diag } from '../../config/diagnostic.js';
import { nearest } from '../../config/suggest.js';
import type { FanoutSpec, NodeSpec } from '../campaign.js';
import { idProblem, padIndex, widthFor } from './ids.js';
import { type Axis, InstanceSet, listAxis, rangeAxis, recordAxis, zipAxis } from './instances.js';
import { readItems } from './sources.js';
import {
  formatValue,
  lookupPath,
  parseTemplate,
  type Ref,
  render,
  type Template,
  valueText,
} from './template.js';

/** An item left out of a fan-out, and why: what `campaign expand` lists as rejected. */
export interface Rejected {
  readonly index: number;
  readonly id?: string;
  readonly origin?: string;
  readonly code: 'missing-value' | 'bad-format' | 'unsafe-id' | 'duplicate-instance';
  /** Reads after "item 3 (data/x.csv line 5) ". */
  readonly reason: string;
}

/** Instances a workflow type's `expand` made for a node (already checked for shape). */
export interface WorkflowInstances {
  readonly records: readonly Readonly<Record<string, unknown>>[];
  readonly keys: readonly string[];
  /** Ids the type chose, when every instance has one. */
  readonly ids?: readonly string[];
}

export interface ScopeResult {
  /** Undefined when the fan-out could not be read at all. */
  readonly set?: InstanceSet;
  readonly rejected: readonly Rejected[];
  readonly diagnostics: Diagnostic[];
  /** How the ids were made, for `expand` and `plan`. */
  readonly idSource: 'template' | 'values' | 'index' | 'workflow';
}

/** Per-item diagnostics shown per fan-out before the rest are summed up. */
export const MAX_ITEM_DIAGNOSTICS = 20;

const RANGE = /^\s*(-?[0-9]+)\s*\.\.\s*(-?[0-9]+)\s*$/;
const BUILTINS = new Set(['index']);

/**
 * Expands one fanned-out table: reads its data, forms the product of its axes (foreach
 * outermost, then matrix keys in order, then zip, then a workflow's instances) and names every
 * instance, checking each id. Problems are diagnostics; per-item ones name the item.
 */
export function expandScope(
  table: NodeSpec,
  spec: FanoutSpec | undefined,
  dir: string,
  workflow?: WorkflowInstances,
): ScopeResult {
  const diagnostics: Diagnostic[] = [];
  const at = (...rest: (string | number)[]): DocPath => [...table.docPath, ...rest];
  const axes: Axis[] = [];
  const givenBy = new Map<string, string>();
  const addAxis = (axis: Axis, what: string, path: DocPath) => {
    for (const k of axis.keys) {
      const other = givenBy.get(k);
      if (other) {
        diagnostics.push(
          diag(
            'duplicate-key',
            `\`${k}\` is given by both ${other} and ${what}`,
            { path, part: 'key' },
            {
              suggestion: 'rename one of them',
            },
          ),
        );
        return;
      }
    }
    for (const k of axis.keys) givenBy.set(k, what);
    axes.push(axis);
  };

  if (spec?.foreach !== undefined) {
    const read = readItems(spec.foreach, dir);
    const where = { path: at('foreach'), part: 'value' as const };
    if (!read.ok) {
      for (const p of read.problems) {
        const code = p.message.startsWith('cannot read') ? 'foreach-unreadable' : 'bad-data';
        diagnostics.push(diag(code, p.message, where));
      }
    } else if (read.source.items.length === 0) {
      diagnostics.push(diag('empty-fanout', `\`foreach\` finds no items in ${read.source.label}`, where));
    } else {
      const s = read.source;
      addAxis(
        recordAxis(s.items, s.keys, (j) => s.origin(j)),
        '`foreach`',
        at('foreach'),
      );
    }
  }
  for (const [key, list] of Object.entries(spec?.matrix ?? {})) {
    const axis = listOrRange(key, list, at('matrix', key), diagnostics);
    if (axis) addAxis(axis, '`matrix`', at('matrix', key));
  }
  if (spec?.zip && Object.keys(spec.zip).length > 0) {
    const columns = new Map<string, ArrayLike<unknown>>();
    for (const [key, list] of Object.entries(spec.zip)) {
      const axis = listOrRange(key, list, at('zip', key), diagnostics);
      if (axis)
        columns.set(
          key,
          Array.from({ length: axis.size }, (_, j) => axis.get(j, key)),
        );
    }
    const lengths = [...columns].map(([k, v]) => [k, v.length] as const);
    const first = lengths[0];
    const bad = lengths.find(([, n]) => n !== first?.[1]);
    if (first && bad) {
      diagnostics.push(
        diag(
          'zip-lengths',
          `\`zip\` lists must have equal lengths: ${lengths.map(([k, n]) => `\`${k}\` has ${n}`).join(', ')}`,
          { path: at('zip', bad[0]), part: 'value' },
          { suggestion: 'use `matrix` for every combination, `zip` to pair lists index by index' },
        ),
      );
    } else if (first) addAxis(zipAxis(columns), '`zip`', at('zip'));
  }
  if (workflow) {
    if (workflow.records.length === 0) {
      diagnostics.push(
        diag('empty-fanout', `workflow \`${table.workflow}\` made no instances`, {
          path: at('params'),
          part: 'key',
        }),
      );
    } else
      addAxis(recordAxis(workflow.records, workflow.keys), `workflow \`${table.workflow}\``, at('workflow'));
  }
  if (diagnostics.length > 0) return { rejected: [], diagnostics, idSource: 'index' };

  // Name the instances.
  const probe = new InstanceSet(table, axes, []);
  const count = probe.count;
  const rejected: Rejected[] = [];
  let ids: string[];
  let idSource: ScopeResult['idSource'];
  if (spec?.id !== undefined) {
    idSource = 'template';
    const made = templateIds(probe, spec.id, at('id'), diagnostics, rejected);
    if (!made) return { rejected, diagnostics, idSource };
    ids = made;
  } else if (workflow?.ids && axes.length === 1) {
    idSource = 'workflow';
    ids = [...workflow.ids];
  } else {
    const fromValues = spec?.foreach === undefined && !workflow ? valueIds(probe) : undefined;
    idSource = fromValues ? 'values' : 'index';
    const width = widthFor(count);
    ids = fromValues ?? Array.from({ length: count }, (_, i) => padIndex(i, width));
  }
  if (idSource === 'template' || idSource === 'workflow') checkIds(probe, ids, rejected);
  const set = new InstanceSet(table, axes, ids);
  reportRejected(set, rejected, idSource === 'workflow' ? at('workflow') : at('id'), diagnostics);
  return { set, rejected, diagnostics, idSource };
}

function listOrRange(
  key: string,
  list: readonly unknown[] | string,
  path: DocPath,
  diagnostics: Diagnostic[],
): Axis | undefined {
  if (Array.isArray(list)) return listAxis(key, list);
  const m = RANGE.exec(String(list));
  if (!m) {
    diagnostics.push(
      diag(
        'bad-range',
        `\`${key}\` must be a list or a range such as "0..249", not ${JSON.stringify(list)}`,
        {
          path,
          part: 'value',
        },
      ),
    );
    return undefined;
  }
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (to < from) {
    diagnostics.push(
      diag('bad-range', `the range \`${key}\` = "${list}" is empty: it ends before it starts`, {
        path,
        part: 'value',
      }),
    );
    return undefined;
  }
  return rangeAxis(key, from, to);
}

/** Default ids from the values (`EP-3`), when every one is safe and they are all different. */
function valueIds(set: InstanceSet): string[] | undefined {
  const ids: string[] = new Array(set.count);
  const seen = new Set<string>();
  for (let i = 0; i < set.count; i++) {
    let id = '';
    for (let k = 0; k < set.keys.length; k++) id += (k > 0 ? '-' : '') + valueText(set.get(i, set.keys[k]!));
    if (idProblem(id) !== undefined || seen.has(id)) return undefined;
    seen.add(id);
    ids[i] = id;
  }
  return ids;
}

function templateIds(
  set: InstanceSet,
  text: string,
  path: DocPath,
  diagnostics: Diagnostic[],
  rejected: Rejected[],
): string[] | undefined {
  const parsed = parseTemplate(text);
  if (!parsed.ok) {
    diagnostics.push(
      diag(
        'bad-template',
        parsed.message,
        { path, part: 'value', span: { start: parsed.start, length: parsed.length } },
        {
          suggestion: parsed.suggestion,
        },
      ),
    );
    return undefined;
  }
  const t = parsed.template;
  if (!checkRoots(t, set.keys, BUILTINS, path, diagnostics, 'the id')) return undefined;
  const ids: string[] = new Array(set.count);
  for (let i = 0; i < set.count; i++) {
    let problem: [Rejected['code'], string] | undefined;
    const id = render(t, (ref) => {
      const v = refValue(set, i, ref);
      if (v === undefined) {
        problem ??= ['missing-value', `has no \`${ref.path.join('.')}\` for the id`];
        return '';
      }
      const text = formatValue(v, ref.format);
      if (typeof text !== 'string') {
        problem ??= [
          'bad-format',
          `cannot be named: \`${t.text.slice(ref.start, ref.start + ref.length)}\` ${text.error}`,
        ];
        return '';
      }
      return text;
    });
    ids[i] = id;
    if (problem) rejected.push(reject(set, i, problem[0], problem[1]));
  }
  return ids;
}

function refValue(set: InstanceSet, i: number, ref: Ref): unknown {
  const root = ref.path[0]!;
  if (set.keys.includes(root)) return lookupPath(set.get(i, root), ref.path, 1);
  if (root === 'index' && ref.path.length === 1) return i;
  return undefined;
}

/**
 * Checks that every placeholder names a key of the items (or a built-in); one diagnostic per
 * unknown name, with the nearest key as a suggestion.
 */
export function checkRoots(
  t: Template,
  keys: readonly string[],
  builtins: ReadonlySet<string>,
  path: DocPath,
  diagnostics: Diagnostic[],
  what: string,
): boolean {
  let ok = true;
  for (const ref of t.refs) {
    const root = ref.path[0]!;
    if (keys.includes(root) || (builtins.has(root) && ref.path.length === 1)) continue;
    ok = false;
    const near = nearest(root, [...keys, ...builtins]);
    const known =
      keys.length > 0
        ? `the items have ${keys.map((k) => `\`${k}\``).join(', ')}`
        : 'the items have no values';
    diagnostics.push(
      diag(
        'unknown-placeholder',
        `\`{${ref.path.join('.')}}\` in ${what} is not a value of the items; ${known}`,
        { path, part: 'value', span: { start: ref.start, length: ref.length } },
        { suggestion: near ? `did you mean \`{${near}}\`?` : 'write `{{` and `}}` for literal braces' },
      ),
    );
  }
  return ok;
}

function checkIds(set: InstanceSet, ids: readonly string[], rejected: Rejected[]): void {
  const bad = new Set(rejected.map((r) => r.index));
  const first = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) {
    if (bad.has(i)) continue;
    const id = ids[i]!;
    const problem = idProblem(id);
    if (problem) {
      rejected.push(reject(set, i, 'unsafe-id', `has the id \`${shown(id)}\`, which ${problem}`, id));
      continue;
    }
    const prior = first.get(id);
    if (prior !== undefined) {
      rejected.push(
        reject(
          set,
          i,
          'duplicate-instance',
          `has the id \`${id}\`, which is also the id of item ${prior}`,
          id,
        ),
      );
    } else first.set(id, i);
  }
  rejected.sort((a, b) => a.index - b.index);
}

function reject(
  set: InstanceSet,
  index: number,
  code: Rejected['code'],
  reason: string,
  id?: string,
): Rejected {
  const origin = set.origin(index);
  return { index, code, reason, ...(id !== undefined ? { id } : {}), ...(origin ? { origin } : {}) };
}

/** `item 3 (data/basins.csv line 5) has no ...`: how a rejected item reads in a message. */
export function rejectedText(r: Rejected): string {
  return `item ${r.index}${r.origin ? ` (${r.origin})` : ''} ${r.reason}`;
}

/** Control characters written visibly, so a message never breaks a line. */
function shown(id: string): string {
  return JSON.stringify(id).slice(1, -1);
}

function reportRejected(
  set: InstanceSet,
  rejected: readonly Rejected[],
  path: DocPath,
  out: Diagnostic[],
): void {
  for (const r of rejected.slice(0, MAX_ITEM_DIAGNOSTICS)) {
    out.push(diag(r.code, rejectedText(r), { path, part: 'value' }));
  }
  if (rejected.length > MAX_ITEM_DIAGNOSTICS) {
    out.push(
      diag(
        'rejected-items',
        `${rejected.length - MAX_ITEM_DIAGNOSTICS} more of the ${set.count} items of \`${set.table.id}\` are rejected`,
        { path, part: 'value' },
        { suggestion: `\`campaign expand\` lists every rejected item` },
      ),
    );
  }
}
