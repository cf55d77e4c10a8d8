import type { DocPath } from '../config/diagnostic.js';
import { parseDuration, parseMemory } from '../model/units.js';
import { badValue, fail, isTable, type Parsed, shown, unknownKeys } from './parsed.js';
import type { Headroom, Scaling } from './size.js';

const HEADROOM_KEYS = ['memory', 'runtime'] as const;
const SCALING_KEYS = ['base', 'per_item', 'per_input_gib'] as const;
const PERCENT = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$/;
export const MAX_HEADROOM = 1000;

/**
 * Reads `headroom = { memory = "30%", runtime = "50%" }` found at `at`: each a percentage from
 * "0%" to "1000%"; a resource left out gets none.
 */
export function parseHeadroom(value: unknown, at: DocPath): Parsed<Headroom> {
  if (!isTable(value)) {
    return fail([
      badValue(
        'bad-headroom',
        `headroom must be a table such as { memory = "30%", runtime = "50%" }, not ${shown(value)}`,
        at,
      ),
    ]);
  }
  const errors = unknownKeys(value, HEADROOM_KEYS, at, 'headroom');
  const out = { memory: 0, runtime: 0 };
  for (const key of HEADROOM_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    const percent = typeof v === 'string' ? percentOf(v) : undefined;
    if (percent === undefined) {
      errors.push(
        badValue(
          'bad-headroom',
          `headroom \`${key}\` must be a percentage from "0%" to "${MAX_HEADROOM}%", not ${shown(v)}`,
          [...at, key],
          typeof v === 'number' ? `write "${v}%"` : undefined,
        ),
      );
    } else out[key] = percent;
  }
  return errors.length > 0 ? fail(errors) : { ok: true, value: out };
}

function percentOf(text: string): number | undefined {
  const m = PERCENT.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= MAX_HEADROOM ? n : undefined;
}

/**
 * Reads a declared scaling of `memory` (MiB) or `runtime` (seconds) found at `at`:
 * `{ base = "2G", per_item = "50M", per_input_gib = "1G" }`, each key optional, at least one
 * given, and no others: a scaling is never a general expression.
 */
export function parseScaling(value: unknown, resource: 'memory' | 'runtime', at: DocPath): Parsed<Scaling> {
  const example =
    resource === 'memory' ? '{ base = "2G", per_item = "50M" }' : '{ base = "5m", per_input_gib = "10m" }';
  if (!isTable(value)) {
    return fail([badValue('bad-scaling', `a scaling of ${resource} must be a table such as ${example}`, at)]);
  }
  const errors = unknownKeys(value, SCALING_KEYS, at, `the scaling of ${resource}`);
  const read = resource === 'memory' ? parseMemory : parseDuration;
  const unit = resource === 'memory' ? 'a memory size with a unit ("50M")' : 'a duration with a unit ("10m")';
  const got: Record<(typeof SCALING_KEYS)[number], number> = { base: 0, per_item: 0, per_input_gib: 0 };
  let given = 0;
  for (const key of SCALING_KEYS) {
    const v = value[key];
    if (v === undefined) continue;
    given++;
    const n = typeof v === 'string' ? read(v) : undefined;
    if (n === undefined)
      errors.push(badValue('bad-scaling', `\`${key}\` must be ${unit}, not ${shown(v)}`, [...at, key]));
    else got[key] = n;
  }
  if (given === 0 && errors.length === 0) {
    errors.push(
      badValue(
        'bad-scaling',
        `a scaling of ${resource} needs base, per_item or per_input_gib`,
        at,
        `for example ${example}`,
      ),
    );
  }
  if (errors.length > 0) return fail(errors);
  return { ok: true, value: { base: got.base, perItem: got.per_item, perInputGiB: got.per_input_gib } };
}
