import { type Diagnostic, type DiagnosticCode, type DocPath, diag } from '../config/diagnostic.js';
import { isTable } from '../config/interpolate.js';
import { nearest } from '../config/suggest.js';

export { isTable };

/**
 * A setting read from a plain object: its value, or every problem found, each a diagnostic
 * with the document path of the offending key or value (positions are the front end's job).
 */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] };

/** Reports every key of `table` outside `known`, each with the nearest known key. */
export function unknownKeys(
  table: Record<string, unknown>,
  known: readonly string[],
  at: DocPath,
  what: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const key of Object.keys(table)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    out.push(
      diag(
        'unknown-key',
        `unknown key \`${key}\` in ${what}`,
        { path: [...at, key], part: 'key' },
        { suggestion: near ? `did you mean \`${near}\`?` : `known keys: ${known.join(', ')}` },
      ),
    );
  }
  return out;
}

/** A problem with a value at `path`. */
export function badValue(
  code: DiagnosticCode,
  message: string,
  path: DocPath,
  suggestion?: string,
): Diagnostic {
  return diag(code, message, { path, part: 'value' }, suggestion ? { suggestion } : {});
}

/** `"text"` for strings, the JSON otherwise: how a wrong value is quoted in a message. */
export function shown(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v) ?? String(v);
}

/** The failed result of a parse. */
export function fail<T>(errors: readonly Diagnostic[]): Parsed<T> {
  return { ok: false, errors };
}
