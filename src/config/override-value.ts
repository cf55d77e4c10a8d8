import TOML from '@iarna/toml';

/** A JSON type a setting takes, as the schema says. */
export type ValueType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

/** The types the setting at a document path takes; undefined when nothing says (workflow params). */
export type ExpectedTypes = (path: readonly (string | number)[]) => ReadonlySet<ValueType> | undefined;

export type ReadValue = { ok: true; value: unknown } | { ok: false; message: string; suggestion: string };

const SCALARS: readonly ValueType[] = ['string', 'integer', 'number', 'boolean'];

/**
 * Reads the value of a `--set` for a setting of the given types. A string setting keeps the text
 * exactly as written (`1.10`, `0x10`, `12:30:00` stay themselves); a TOML string in quotes is
 * that string; a number or boolean setting takes the TOML value; an array or table setting takes
 * a TOML array or inline table, and text that opens one but does not parse is an error. Where
 * nothing says what the setting is, a TOML number or boolean is taken only when it reads back as
 * written. The existing value's type, when the schema allows several, decides between them.
 */
export function readOverrideValue(
  raw: string,
  expected: ReadonlySet<ValueType> | undefined,
  existing: unknown,
): ReadValue {
  const text = raw.trim();
  if (text === '') return { ok: true, value: '' };
  const types = narrow(expected, existing);
  const parsed = parseToml(text);
  if (parsed.ok && typeof parsed.value === 'string') return { ok: true, value: parsed.value };
  if (text.startsWith('[') || text.startsWith('{')) {
    const kind: ValueType = text.startsWith('[') ? 'array' : 'object';
    if (types && !types.has(kind)) return { ok: true, value: raw };
    const v = parsed.ok ? parsed.value : undefined;
    if (kind === 'array' ? Array.isArray(v) : isTable(v)) return { ok: true, value: v };
    const what = kind === 'array' ? 'a TOML array' : 'a TOML inline table';
    return {
      ok: false,
      message: `the \`--set\` value is not ${what}${parsed.ok ? '' : `: ${parsed.message}`}`,
      suggestion:
        kind === 'array'
          ? 'write an array such as ["a", "b c"], strings in quotes'
          : 'write an inline table such as { cores = 2, memory = "4G" }',
    };
  }
  const v = parsed.ok ? parsed.value : undefined;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    const numeric = typeof v !== 'boolean';
    // Only numbers or booleans fit: take the value (the schema reports a mismatch against the override).
    if (types && !types.has('string')) return { ok: true, value: v };
    const fits =
      types === undefined || (numeric ? types.has('integer') || types.has('number') : types.has('boolean'));
    if (fits && String(v) === text) return { ok: true, value: v };
    return { ok: true, value: raw };
  }
  // Words, paths, dates and times: the text as written.
  return { ok: true, value: raw };
}

/** Of the scalar types a setting allows, keep the one its existing value has. */
function narrow(
  expected: ReadonlySet<ValueType> | undefined,
  existing: unknown,
): ReadonlySet<ValueType> | undefined {
  const kind: ValueType[] | undefined =
    typeof existing === 'string'
      ? ['string']
      : typeof existing === 'number' || typeof existing === 'bigint'
        ? ['integer', 'number']
        : typeof existing === 'boolean'
          ? ['boolean']
          : undefined;
  if (!kind) return expected;
  if (!expected) return new Set(kind);
  if (!kind.some((k) => expected.has(k))) return expected;
  return new Set([...expected].filter((t) => !SCALARS.includes(t) || kind.includes(t)));
}

function parseToml(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: (TOML.parse(`v = ${text}`) as { v: unknown }).v };
  } catch (err) {
    const message = String((err as Error).message ?? 'syntax error')
      .split('\n')[0]!
      .replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    return {
      ok: false,
      message: message.length > 0 ? message[0]!.toLowerCase() + message.slice(1) : message,
    };
  }
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
