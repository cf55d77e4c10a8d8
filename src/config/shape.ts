import { type Diagnostic, type DocPath, diag, keyName } from './diagnostic.js';

/** How deep tables and arrays may nest (the document itself is depth 0, `[campaign]` depth 1). */
export const MAX_DEPTH = 64;

/** Problems of one kind reported before the rest are left out. */
const MAX_PER_KIND = 20;

const NUL_HELP = 'remove it: no command, argument, environment variable or path can hold a NUL';

export interface ShapeResult {
  readonly diagnostics: Diagnostic[];
  /** Nested deeper than MAX_DEPTH: nothing may walk the document recursively. */
  readonly tooDeep: boolean;
}

interface Frame {
  readonly value: unknown;
  readonly up: Frame | undefined;
  readonly key: string | number;
  readonly depth: number;
}

/**
 * Checks what every later stage takes for granted, without recursion, so that it is safe on any
 * input: tables and arrays nested at most MAX_DEPTH deep, numbers finite (TOML's `inf`, `nan`,
 * `1e400`), and no NUL character in a string or a key (a NUL cannot reach a program). A value
 * reached through YAML aliases many times is walked again only when reached deeper.
 */
export function checkShape(data: Record<string, unknown>): ShapeResult {
  const diagnostics: Diagnostic[] = [];
  const counts = { nul: 0, number: 0 };
  const report = (kind: keyof typeof counts, d: () => Diagnostic) => {
    if (counts[kind]++ < MAX_PER_KIND) diagnostics.push(d());
  };
  const seenAt = new Map<object, number>();
  const stack: Frame[] = [];
  const push = (value: unknown, up: Frame | undefined, key: string | number, depth: number) => {
    if (typeof value === 'string') {
      const at = value.indexOf('\u0000');
      if (at >= 0) {
        report('nul', () => {
          const path = pathOf({ value, up, key, depth });
          return diag(
            'nul-character',
            `${keyName(path)} contains a NUL character (U+0000)`,
            { path, part: 'value', span: { start: at, length: 1 } },
            { suggestion: NUL_HELP },
          );
        });
      }
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      report('number', () => {
        const path = pathOf({ value, up, key, depth });
        const what = Number.isNaN(value) ? 'nan (not a number)' : value > 0 ? 'infinity' : '-infinity';
        return diag('bad-number', `${keyName(path)} must be a finite number, not ${what}`, {
          path,
          part: 'value',
        });
      });
    } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      const prior = seenAt.get(value);
      if (prior !== undefined && prior >= depth) return;
      seenAt.set(value, depth);
      stack.push({ value, up, key, depth });
    }
  };
  for (const k of Object.keys(data)) push(data[k], undefined, k, 1);
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > MAX_DEPTH) {
      const path = pathOf(frame);
      diagnostics.push(
        diag(
          'too-deep',
          `tables and arrays are nested more than ${MAX_DEPTH} deep here`,
          { path, part: typeof frame.key === 'number' ? 'value' : 'key' },
          { suggestion: `a campaign nests subcampaigns and values at most ${MAX_DEPTH} deep` },
        ),
      );
      return { diagnostics, tooDeep: true };
    }
    const v = frame.value;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) push(v[i], frame, i, frame.depth + 1);
      continue;
    }
    const table = v as Record<string, unknown>;
    const keys = Object.keys(table);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (k.includes('\u0000')) {
        report('nul', () => {
          const path = [...pathOf(frame), k];
          return diag(
            'nul-character',
            `the key ${JSON.stringify(k)} contains a NUL character (U+0000)`,
            { path, part: 'key' },
            { suggestion: NUL_HELP },
          );
        });
      }
      push(table[k], frame, k, frame.depth + 1);
    }
  }
  return { diagnostics, tooDeep: false };
}

function pathOf(frame: Frame): DocPath {
  const path: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f; f = f.up) path.push(f.key);
  return path.reverse();
}
