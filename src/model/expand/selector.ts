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
  /** `step={step-1}`: the value comes from the dependent instance's own values, maybe offset. */
  readonly relative?: RelativeValue;
}

/** `{step}`, `{step-1}`, `{step+2}`: a value of the dependent instance, as text or plus an offset. */
export interface RelativeValue {
  /** The dependent's key as written (`step`, `params.k`); path[0] names an item key. */
  readonly key: string;
  readonly path: readonly string[];
  readonly offset: number;
}

const RELATIVE = /^\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?:([+-])\s*([0-9]{1,9})\s*)?\}$/;

/** `{step-1}` → the relative value it names; undefined when the text is a plain pattern. */
export function parseRelative(pattern: string): RelativeValue | undefined {
  const m = RELATIVE.exec(pattern);
  if (!m) return undefined;
  const n = m[3] === undefined ? 0 : Number(m[3]);
  return { key: m[1]!, path: m[1]!.split('.'), offset: m[2] === '-' ? -n : n };
}

/**
 * Whether a selector's text takes values from the dependent instance (`[step={step-1}]`); one
 * that tries to and is malformed counts too, so that its own diagnostic is the one reported.
 */
export function isRelativeSelector(text: string): boolean {
  const parsed = parseSelector(text);
  if (!parsed.ok) return text.includes('{');
  return parsed.selector.kind === 'values' && parsed.selector.conditions.some((c) => c.relative);
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
    if (pattern.includes('{') || pattern.includes('}')) {
      const relative = parseRelative(pattern);
      if (!relative)
        return {
          ok: false,
          message: `\`${pattern}\` is not a value of the dependent instance; write \`{key}\`, \`{key-1}\` or \`{key+1}\``,
        };
      conditions.push({ key, path: key.split('.'), pattern, test: () => false, relative });
      continue;
    }
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
