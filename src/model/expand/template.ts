import { stableJson } from '../tasks.js';

/**
 * A placeholder in a template: `{basin}`, `{properties.HucName}`, `{draw:03}`. `path` is the
 * dotted name split into its parts; `start`/`length` locate the whole `{...}` in the text.
 */
export interface Ref {
  readonly path: readonly string[];
  readonly format?: Format;
  readonly start: number;
  readonly length: number;
}

/** How a value is written: zero padding, decimals, or a case / slug transform. */
export type Format =
  | { readonly kind: 'pad'; readonly width: number; readonly zero: boolean; readonly integer: boolean }
  | { readonly kind: 'fixed'; readonly digits: number; readonly width: number; readonly zero: boolean }
  | { readonly kind: 'slug' | 'lower' | 'upper' };

/** A parsed template: literal text and placeholders, alternating (parts[0] is text). */
export interface Template {
  readonly text: string;
  /** texts.length === refs.length + 1 */
  readonly texts: readonly string[];
  readonly refs: readonly Ref[];
}

export type ParseResult =
  | { ok: true; template: Template }
  | { ok: false; message: string; start: number; length: number; suggestion: string };

const LITERAL_HELP = 'write `{{` and `}}` for literal braces';

/**
 * Parses `{name}`, `{a.b}`, `{name:03}`, `{x:.2f}`, `{x:slug}`; `{{` and `}}` are literal braces,
 * and the shell's `${VAR}` is kept as written. Any other `{` or `}` is an error, so that a stray
 * brace is never silently kept.
 */
export function parseTemplate(text: string): ParseResult {
  const texts: string[] = [];
  const refs: Ref[] = [];
  let buf = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '}') {
      if (text[i + 1] === '}') {
        buf += '}';
        i += 2;
        continue;
      }
      return { ok: false, message: 'unmatched `}`', start: i, length: 1, suggestion: LITERAL_HELP };
    }
    if (c !== '{') {
      buf += c;
      i++;
      continue;
    }
    if (text[i + 1] === '{') {
      buf += '{';
      i += 2;
      continue;
    }
    if (text[i - 1] === '$') {
      // `${VAR}` is the shell's; it is kept as written.
      const end = text.indexOf('}', i);
      if (end < 0)
        return { ok: false, message: 'unclosed `${`', start: i - 1, length: 2, suggestion: LITERAL_HELP };
      buf += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    const close = text.indexOf('}', i + 1);
    const nextOpen = text.indexOf('{', i + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      return { ok: false, message: 'unclosed `{`', start: i, length: 1, suggestion: LITERAL_HELP };
    }
    const inner = text.slice(i + 1, close);
    const length = close - i + 1;
    const colon = inner.indexOf(':');
    const name = (colon < 0 ? inner : inner.slice(0, colon)).trim();
    const path = name.split('.');
    if (name === '' || path.some((p) => p === '')) {
      return {
        ok: false,
        message: `\`{${inner}}\` names no value`,
        start: i,
        length,
        suggestion: `write a name such as {basin} or {properties.HucName}; ${LITERAL_HELP}`,
      };
    }
    let format: Format | undefined;
    if (colon >= 0) {
      format = parseFormat(inner.slice(colon + 1).trim());
      if (!format) {
        return {
          ok: false,
          message: `unknown format \`${inner.slice(colon + 1)}\` in \`{${inner}}\``,
          start: i,
          length,
          suggestion: 'formats: `:03` (zero padding), `:.2f` (decimals), `:slug`, `:lower`, `:upper`',
        };
      }
    }
    texts.push(buf);
    buf = '';
    refs.push({ path, ...(format ? { format } : {}), start: i, length });
    i = close + 1;
  }
  texts.push(buf);
  return { ok: true, template: { text, texts, refs } };
}

function parseFormat(spec: string): Format | undefined {
  if (spec === 'slug' || spec === 'lower' || spec === 'upper') return { kind: spec };
  const m = /^(0?)([0-9]*)(?:\.([0-9]+)f|(d)?)$/.exec(spec);
  if (!m || (m[2] === '' && m[3] === undefined)) return undefined;
  const zero = m[1] === '0';
  const width = m[2] === '' ? 0 : Number(m[2]);
  if (m[3] !== undefined) return { kind: 'fixed', digits: Number(m[3]), width, zero };
  return { kind: 'pad', width, zero, integer: m[4] === 'd' };
}

/** True when the template has no placeholder: its text is used as is. */
export const isLiteral = (t: Template): boolean => t.refs.length === 0;

/** The text a value is written as: scalars as themselves, arrays joined by `,`, tables as JSON. */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(valueText).join(',');
  return stableJson(v);
}

/**
 * Writes a value with its format. Returns a string, or a reason the value cannot take the
 * format (`:03d` of "abc").
 */
export function formatValue(v: unknown, format: Format | undefined): string | { error: string } {
  if (!format) return valueText(v);
  switch (format.kind) {
    case 'slug':
      return slug(valueText(v));
    case 'lower':
      return valueText(v).toLowerCase();
    case 'upper':
      return valueText(v).toUpperCase();
    case 'fixed': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (!Number.isFinite(n)) return { error: `needs a number, not ${describe(v)}` };
      return pad(n.toFixed(format.digits), format.width, format.zero);
    }
    case 'pad': {
      if (format.integer || format.zero) {
        const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
        if (format.integer && !/^-?[0-9]+$/.test(text))
          return { error: `needs an integer, not ${describe(v)}` };
        if (format.zero && /^-?[0-9]+(\.[0-9]+)?$/.test(text)) return pad(text, format.width, true);
        if (format.zero && typeof v !== 'string') return { error: `needs a number, not ${describe(v)}` };
      }
      return pad(valueText(v), format.width, format.zero);
    }
  }
}

function pad(text: string, width: number, zero: boolean): string {
  if (text.length >= width) return text;
  if (!zero) return ' '.repeat(width - text.length) + text;
  const neg = text.startsWith('-');
  const digits = neg ? text.slice(1) : text;
  return (neg ? '-' : '') + '0'.repeat(width - text.length) + digits;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a table';
  return String(v);
}

/** Lowercase letters and digits kept (accents dropped), every other run of characters one `-`. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_.]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[-.]+|[-.]+$/g, '');
}

/** Looks a placeholder's path up in a record: `properties.HucName`, `bbox.0`. */
export function lookupPath(root: unknown, path: readonly string[], from = 0): unknown {
  let cur = root;
  for (let i = from; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = path[i]!;
    if (Array.isArray(cur)) {
      if (!/^[0-9]+$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else {
      if (!Object.hasOwn(cur, key)) return undefined;
      cur = (cur as Record<string, unknown>)[key];
    }
  }
  return cur;
}

/**
 * Renders a template. `resolve` gives each placeholder's value text (already formatted and,
 * for shell strings, quoted); it is only called for placeholders.
 */
export function render(t: Template, resolve: (ref: Ref) => string): string {
  if (t.refs.length === 0) return t.texts[0]!;
  let out = t.texts[0]!;
  for (let i = 0; i < t.refs.length; i++) out += resolve(t.refs[i]!) + t.texts[i + 1]!;
  return out;
}
