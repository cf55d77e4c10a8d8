import { type Diagnostic, type DocPath, diag } from './diagnostic.js';
import { type ExpectedTypes, readOverrideValue } from './override-value.js';
import type { Source } from './source.js';
import { nearest } from './suggest.js';

/** One parsed `--set path=value`. */
export interface Override {
  /** Index of the override's own source (1 for the first `--set`). */
  readonly source: number;
  /** Path inside the document, starting with `campaign`. */
  readonly path: DocPath;
  /** The value as written after `=`; how it is read depends on the setting (see applyOverrides). */
  readonly raw: string;
}

/** The overrides of one command line, and which document paths they set. */
export class Overrides {
  constructor(readonly list: readonly Override[]) {}

  /** The last override that set `path` or one of its ancestors. */
  originOf(path: DocPath): Override | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const o = this.list[i]!;
      if (o.path.length <= path.length && o.path.every((seg, j) => seg === path[j])) return o;
    }
    return undefined;
  }
}

/** The source that diagnostics print for the i-th `--set`. */
export function overrideSource(text: string): Source {
  return { name: '--set', text, format: 'override' };
}

/**
 * Parses `--set` texts into paths and values as written. The path is relative to `[campaign]`
 * (a leading `campaign.` is accepted); the value is read when applied, against its setting.
 */
export function parseOverrides(
  texts: readonly string[],
  firstSource: number,
): { overrides: Overrides; diagnostics: Diagnostic[] } {
  const list: Override[] = [];
  const diagnostics: Diagnostic[] = [];
  texts.forEach((text, i) => {
    const source = firstSource + i;
    const eq = text.indexOf('=');
    if (eq <= 0) {
      diagnostics.push(
        diag(
          'bad-override',
          `\`--set\` needs the form path=value`,
          { source, path: [], part: 'key' },
          {
            suggestion: `for example: --set mapmaking.resources.memory=128G`,
          },
        ),
      );
      return;
    }
    const keys = splitDottedKey(text.slice(0, eq).trim());
    if (!keys) {
      diagnostics.push(
        diag('bad-override', `\`--set\` has a malformed path`, { source, path: [], part: 'key' }),
      );
      return;
    }
    const path = keys[0] === 'campaign' ? keys : ['campaign', ...keys];
    list.push({ source, path, raw: text.slice(eq + 1) });
  });
  return { overrides: new Overrides(list), diagnostics };
}

/** Splits `a."b.c".d` into its keys; undefined when malformed. */
export function splitDottedKey(text: string): string[] | undefined {
  const keys: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      keys.push(text.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = text.indexOf('.', i);
      if (end < 0) end = text.length;
      const key = text.slice(i, end).trim();
      if (key === '' || !/^[A-Za-z0-9_-]+$/.test(key)) return undefined;
      keys.push(key);
      i = end;
    }
    if (i < text.length) {
      if (text[i] !== '.') return undefined;
      i++;
      if (i === text.length) return undefined;
    }
  }
  return keys.length > 0 ? keys : undefined;
}

/**
 * Applies the overrides to the parsed document in place. Each value is read for the setting it
 * sets (`expected`, from the schema, and the value it replaces): see readOverrideValue.
 */
export function applyOverrides(
  data: Record<string, unknown>,
  overrides: Overrides,
  expected: ExpectedTypes = () => undefined,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const o of overrides.list) {
    let table: Record<string, unknown> = data;
    let ok = true;
    for (let i = 0; i < o.path.length - 1; i++) {
      const key = String(o.path[i]);
      const next = table[key];
      if (next === undefined) {
        const created: Record<string, unknown> = {};
        table[key] = created;
        table = created;
      } else if (next !== null && typeof next === 'object' && !Array.isArray(next)) {
        table = next as Record<string, unknown>;
      } else {
        diagnostics.push(
          diag(
            'bad-override',
            `\`--set\` cannot set a key inside \`${o.path.slice(0, i + 1).join('.')}\`, which is not a table`,
            { source: o.source, path: [], part: 'key' },
          ),
        );
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    const last = String(o.path[o.path.length - 1]);
    const read = readOverrideValue(o.raw, expected(o.path), table[last]);
    if (!read.ok) {
      diagnostics.push(
        diag(
          'bad-override',
          read.message,
          { source: o.source, path: [], part: 'value' },
          { suggestion: read.suggestion },
        ),
      );
      continue;
    }
    table[last] = read.value;
  }
  return diagnostics;
}

/**
 * Warnings for `--set vars.NAME=...` where the campaign neither defines nor uses NAME: such an
 * override changes nothing, and is most likely a typo.
 */
export function unusedVarOverrides(
  overrides: Overrides,
  defined: ReadonlySet<string>,
  used: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const o of overrides.list) {
    if (o.path.length !== 3 || o.path[1] !== 'vars') continue;
    const name = String(o.path[2]);
    if (defined.has(name) || used.has(name)) continue;
    const near = nearest(name, defined);
    out.push(
      diag(
        'unknown-variable',
        `the campaign has no variable \`${name}\` and uses no \`\${${name}}\`: this \`--set\` changes nothing`,
        { source: o.source, path: [], part: 'key' },
        {
          severity: 'warning',
          suggestion: near
            ? `did you mean \`vars.${near}\`?`
            : defined.size > 0
              ? `its variables: ${[...defined].map((v) => `\`${v}\``).join(', ')}`
              : 'it defines no [campaign.vars]',
        },
      ),
    );
  }
  return out;
}
