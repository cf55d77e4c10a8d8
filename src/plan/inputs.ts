import { isAbsolute, join } from 'node:path';
import {
  formatValue,
  lookupPath,
  parseTemplate,
  type Template,
  valueText,
} from '../model/expand/template.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';

/** One input path of a task: absolute, or why it could not be rendered (a placeholder with no value). */
export type InputPath =
  | { readonly ok: true; readonly path: string; readonly written: string }
  | { readonly ok: false; readonly template: string; readonly missing: string };

/**
 * The input files of a task: each `inputs` template of its node rendered for each of its items
 * (a chunk's items each add theirs, a plain node's are literal), relative to its workdir.
 * `{index}`, `{instance}` and `{seed}` are the item's, as in outputs.
 */
export function inputPaths(task: TaskSpec, templates: readonly Template[]): InputPath[] {
  const items = task.items && task.items.length > 0 ? task.items : [undefined];
  const out: InputPath[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    for (const t of templates) {
      let missing: string | undefined;
      let text = t.texts[0]!;
      for (let i = 0; i < t.refs.length; i++) {
        const ref = t.refs[i]!;
        const root = ref.path[0]!;
        const own = item?.values[root];
        let v: unknown = own !== undefined ? lookupPath(own, ref.path, 1) : undefined;
        if (v === undefined && item && ref.path.length === 1) {
          if (root === 'index') v = item.index;
          else if (root === 'seed') v = item.seed;
          else if (root === 'instance') v = item.instance;
        }
        if (v === undefined) missing ??= ref.path.join('.');
        const f = formatValue(v, ref.format);
        text += (typeof f === 'string' ? f : valueText(v)) + t.texts[i + 1]!;
      }
      if (missing !== undefined) {
        out.push({ ok: false, template: t.text, missing });
        continue;
      }
      const path = isAbsolute(text) ? text : join(task.workdir, text);
      if (seen.has(path)) continue;
      seen.add(path);
      out.push({ ok: true, path, written: text });
    }
  }
  return out;
}

/** A file's size in bytes, or undefined when it does not exist (the caller stats: the planner does no I/O). */
export type SizeOf = (path: string) => number | undefined;

/** What measuring the inputs found: bytes per task, and per node what was missing. */
export interface MeasuredInputs {
  /** Bytes of input per task number (tasks of nodes without `inputs` are undefined). */
  readonly bytes: (task: number) => number | undefined;
  /** Per node id: how many input paths were missing (counted as 0 bytes), and the first. */
  readonly missing: ReadonlyMap<string, { readonly count: number; readonly first: string }>;
}

/**
 * Measures every task's inputs with `sizeOf`: the total bytes of its files. A file that does
 * not exist, or a path whose placeholder has no value, counts 0 bytes and is listed in `missing`.
 */
export function measureInputs(graph: TaskGraph, sizeOf: SizeOf): MeasuredInputs {
  const bytes = new Map<number, number>();
  const missing = new Map<string, { count: number; first: string }>();
  for (const nt of graph.nodes) {
    const declared = nt.node.inputs;
    if (!declared || declared.length === 0) continue;
    const templates = declared.flatMap((text) => {
      const p = parseTemplate(text);
      return p.ok ? [p.template] : [];
    });
    for (let v = nt.first; v < nt.first + nt.count; v++) {
      const t = graph.tasks[v]!;
      let total = 0;
      for (const p of inputPaths(t, templates)) {
        const size = p.ok ? sizeOf(p.path) : undefined;
        if (size !== undefined) {
          total += size;
          continue;
        }
        const what = p.ok ? p.written : `${p.template} ({${p.missing}} has no value)`;
        const m = missing.get(nt.node.id);
        if (m) m.count++;
        else missing.set(nt.node.id, { count: 1, first: what });
      }
      bytes.set(v, total);
    }
  }
  return { bytes: (v) => bytes.get(v), missing };
}
