import { lookupPath, valueText } from './template.js';

/**
 * Which instances of a fanned-out node a reference means: `[*]` all, `[huc-12*]` by instance id,
 * `[step=3]` or `[run=huc-12*,draw=1?]` by values. Globs: `*` any text, `?` one character.
 */
export type InstanceSelector =
  | { readonly kind: 'all' }
  | { readonly kind: 'id'; readonly pattern: string; readonly test: (id: string) => boolean }
  | { readonly kind: 'values'; readonly conditions: readonly Condition[] };

export interface Condition {
  /** As written: `step`, `properties.Region`. */
  readonly key: string;
  /** The key's parts; the first names an item key. */
  readonly path: readonly string[];
  readonly pattern: string;
  readonly test: (value: unknown) => boolean;
}

/** A condition's value in a record of item values (`properties.Region` looks inside). */
export function conditionValue(c: Condition, get: (root: string) => unknown): unknown {
  return lookupPath(get(c.path[0]!), c.path, 1);
}

export type SelectorResult = { ok: true; selector: InstanceSelector } | { ok: false; message: string };

/** Parses the text between the brackets. */
export function parseSelector(text: string): SelectorResult {
  const s = text.trim();
  if (s === '*') return { ok: true, selector: { kind: 'all' } };
  if (s === '') return { ok: false, message: 'empty `[]`; write `[*]` for every instance' };
  if (!s.includes('=')) {
    const test = globTest(s);
    return { ok: true, selector: { kind: 'id', pattern: s, test } };
  }
  const conditions: Condition[] = [];
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (eq < 0 || key === '')
      return { ok: false, message: `\`${part.trim()}\` is not of the form key=value` };
    const pattern = part.slice(eq + 1).trim();
    const test = globTest(pattern);
    conditions.push({
      key,
      path: key.split('.'),
      pattern,
      test: (v) => v !== undefined && test(valueText(v)),
    });
  }
  return { ok: true, selector: { kind: 'values', conditions } };
}

/** A glob where `*` is any text (slashes too) and `?` one character; the rest is literal. */
export function globTest(pattern: string): (text: string) => boolean {
  if (!/[*?]/.test(pattern)) return (t) => t === pattern;
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('')}$`,
    's',
  );
  return (t) => re.test(t);
}

/** `path[selector]` → its parts (the selector without brackets), or just the path. */
export function splitSelector(text: string): { path: string; selector?: string } {
  const open = text.indexOf('[');
  if (open > 0 && text.endsWith(']'))
    return { path: text.slice(0, open).trim(), selector: text.slice(open + 1, -1) };
  return { path: text.trim() };
}
