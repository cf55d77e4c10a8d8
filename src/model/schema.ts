import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { type Diagnostic, type DocPath, diag, keyName } from '../config/diagnostic.js';
import type { ExpectedTypes, ValueType } from '../config/override-value.js';
import { nearest } from '../config/suggest.js';
import { schedulerSchemas } from '../schedulers/options-schema.js';

type Schema = Record<string, unknown>;

/**
 * The published schema, the same file editors use for completion, with its scheduler tables
 * as the registry declares them (the build writes the same into the file).
 */
export const campaignSchema: Schema = withSchedulerTables(
  JSON.parse(readFileSync(new URL('../../schemas/campaign.schema.json', import.meta.url), 'utf8')) as Schema,
);

function withSchedulerTables(schema: Schema): Schema {
  const defs = schema.definitions as Record<string, Schema>;
  return { ...schema, definitions: { ...defs, ...schedulerSchemas() } };
}

/** The options the campaign schema is compiled with, here and by the build. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: false, allowUnionTypes: true } as const;

/** Which schema a precompiled validator was generated from. */
export function schemaHash(): string {
  return createHash('sha256').update(JSON.stringify(campaignSchema)).digest('hex');
}

/**
 * Where the build writes the validator it generated from the schema (scripts/write-schema.mjs).
 * The one-file bundle has none beside it, and compiles the schema.
 */
export const PRECOMPILED = join(dirname(fileURLToPath(import.meta.url)), 'campaign-validate.cjs');

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= precompiled() ?? new Ajv(AJV_OPTIONS).compile(campaignSchema);
  return compiled;
}

/**
 * The validator the build generated, when it is there and was made from this schema:
 * compiling the schema costs a third of a second of every command's start.
 */
function precompiled(): ValidateFunction | undefined {
  const file = PRECOMPILED;
  if (!existsSync(file)) return undefined;
  try {
    const mod = createRequire(import.meta.url)(file) as ValidateFunction & { schemaHash?: string };
    return mod.schemaHash === schemaHash() ? mod : undefined;
  } catch {
    return undefined;
  }
}

const definitions = campaignSchema.definitions as Record<string, Schema>;

let byText: Map<string, Schema> | undefined;

/**
 * The error with its parent schema as the definition it is a copy of: a precompiled validator
 * carries copies of the schema's parts, and the mapping knows definitions by identity.
 */
function canonical(e: ErrorObject): ErrorObject {
  const parent = e.parentSchema as Schema | undefined;
  if (parent === undefined || Object.values(definitions).includes(parent)) return e;
  byText ??= new Map(Object.values(definitions).map((d) => [JSON.stringify(d), d]));
  const same = byText.get(JSON.stringify(parent));
  return same ? { ...e, parentSchema: same } : e;
}
const propsOf = (def: string): string[] => Object.keys((definitions[def]?.properties ?? {}) as object);
const NODE_KEYS = propsOf('node');
const CAMPAIGN_KEYS = propsOf('campaign');

/** Known keys of a subcampaign table: what an unknown key is compared against. */
export const nodeKeys: readonly string[] = NODE_KEYS;
/** Keys of `[campaign]` itself. */
export const campaignKeys: readonly string[] = CAMPAIGN_KEYS;

/** Validates the document against the schema; every violation becomes a positioned diagnostic. */
export function validateSchema(data: unknown): Diagnostic[] {
  const validate = validator();
  if (validate(data)) return [];
  return mapErrors((validate.errors ?? []).map(canonical), CAMPAIGN_CONTEXT);
}

/** What error mapping needs to know of a schema: where its data sits and its definitions. */
interface MapContext {
  /** Document path of the validated value (`[]` for the whole document). */
  readonly base: DocPath;
  readonly definitions: Readonly<Record<string, Schema>>;
}

const CAMPAIGN_CONTEXT: MapContext = { base: [], definitions };

/**
 * Maps ajv errors of any schema (a workflow type's `params`, say) to positioned diagnostics,
 * the same way the campaign schema's are: `base` is the document path of the validated value.
 */
export function mapAjvErrors(errors: readonly ErrorObject[], base: DocPath, schema: Schema): Diagnostic[] {
  const defs = (schema.definitions ?? schema.$defs ?? {}) as Record<string, Schema>;
  return mapErrors(errors, { base, definitions: defs });
}

function pathOf(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function jsType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'a table';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a float';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (typeof v === 'bigint') return 'an integer too large for a number';
  return typeof v;
}

function matchesType(v: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'string':
        return typeof v === 'string';
      case 'integer':
        return Number.isInteger(v);
      case 'number':
        return typeof v === 'number';
      case 'boolean':
        return typeof v === 'boolean';
      case 'array':
        return Array.isArray(v);
      case 'object':
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      default:
        return false;
    }
  });
}

function resolveRef(s: Schema, defs: Readonly<Record<string, Schema>> = definitions): Schema {
  const ref = s.$ref;
  if (typeof ref === 'string') {
    const m = /^#\/(?:definitions|\$defs)\/(.+)$/.exec(ref);
    if (m) return defs[m[1]!] ?? s;
  }
  return s;
}

function describe(s: Schema, defs: Readonly<Record<string, Schema>> = definitions): string {
  const r = resolveRef(s, defs);
  if (r === definitions.range) return 'a range such as "0..249"';
  if (Array.isArray(r.oneOf)) return (r.oneOf as Schema[]).map((x) => describe(x, defs)).join(' or ');
  if (Array.isArray(r.enum))
    return `one of ${(r.enum as unknown[]).map((e) => JSON.stringify(e)).join(', ')}`;
  const t = r.type;
  const one = (x: unknown): string => {
    if (x === 'array') {
      const items = r.items as Schema | undefined;
      return items ? `an array of ${plural(describe(items, defs))}` : 'an array';
    }
    if (x === 'object') return 'a table';
    if (x === 'integer') return 'an integer';
    return `a ${String(x)}`;
  };
  if (Array.isArray(t)) return t.map(one).join(' or ');
  return t ? one(t) : 'a value';
}

function plural(s: string): string {
  return s
    .split(' or ')
    .map((part) => part.replace(/^an? (\w+)/, '$1s'))
    .join(' or ');
}

function tableName(path: DocPath): string {
  if (path.length === 0) return 'the top level';
  return `[${path.join('.')}]`;
}

/** Messages for the formats the schema checks with a pattern. */
const PATTERN_HINTS: Record<string, { what: string; example: string }> = {
  memory: { what: 'a memory size with a unit', example: 'such as "512M", "4G" or "1.5T"' },
  duration: { what: 'a duration', example: 'such as "90m", "2h30m", "45s", "2d" or "1-12:00:00"' },
  name: { what: 'a name of letters, digits, `_`, `-` and `.`', example: 'starting with a letter or digit' },
  range: { what: 'a list, or an integer range', example: 'such as "0..249" (both ends included)' },
  identifier: { what: 'a name of letters, digits, `_` and `-`', example: 'starting with a letter or `_`' },
};

const BOUND_WORDS: Record<string, string> = {
  minimum: 'at least',
  exclusiveMinimum: 'more than',
  maximum: 'at most',
  exclusiveMaximum: 'less than',
};

/** A bare number where a memory size or a duration is wanted: say which unit to write. */
function unitHint(
  data: unknown,
  parent: Schema | undefined,
  ctx: MapContext,
): { message: (key: string) => string; suggestion: string } | undefined {
  if (ctx !== CAMPAIGN_CONTEXT || typeof data !== 'number') return undefined;
  if (parent === definitions.memory)
    return {
      message: (key) => `${key} must be a memory size with a unit, not the bare number ${data}`,
      suggestion: withUnit('memory', data),
    };
  if (parent === definitions.duration)
    return {
      message: (key) => `${key} must be a duration with a unit, not the bare number ${data}`,
      suggestion: withUnit('duration', data),
    };
  return undefined;
}

/**
 * The number written with the units it most likely means, likelier first: a few units of
 * memory are gigabytes, hundreds megabytes; a short duration is minutes, a long one seconds.
 */
function withUnit(kind: 'memory' | 'duration', n: number | string): string {
  const v = Number(n);
  if (kind === 'memory')
    return v < 64
      ? `write it with a unit, such as "${n}G" or "${n}M"`
      : `write it with a unit, such as "${n}M" or "${n}G"`;
  return v >= 600
    ? `write it with a unit, such as "${n}s" (seconds) or "${n}m" (minutes)`
    : `write it with a unit, such as "${n}m" (minutes) or "${n}s" (seconds)`;
}

/**
 * An integer beyond what a number holds exactly. TOML reads it as a bigint, wrapped around when
 * it exceeds 64 bits, so the message does not repeat the value.
 */
function tooLarge(path: DocPath, parent: Schema): Diagnostic {
  const types = Array.isArray(parent.type) ? parent.type : [parent.type];
  const numeric = types.includes('integer') || types.includes('number');
  const max = typeof parent.maximum === 'number' ? parent.maximum : Number.MAX_SAFE_INTEGER;
  return diag(
    'bad-value',
    `${keyName(path)} must be at most ${max}, not a number this large`,
    { path, part: 'value' },
    { suggestion: !numeric || types.includes('string') ? 'write it as a string, in quotes' : undefined },
  );
}

function mapErrors(errors: readonly ErrorObject[], ctx: MapContext): Diagnostic[] {
  // Drop the branch errors of a oneOf: keep the branch whose type the value has, or the oneOf itself.
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf') continue;
    const branches = (e.schema as Schema[]) ?? [];
    const match = branches.findIndex((b) => matchesType(e.data, resolveRef(b, ctx.definitions).type));
    const prefix = `${e.schemaPath}/`;
    // A branch that is a $ref reports under the referenced definition's path.
    const refOf = (b: Schema) => (typeof b.$ref === 'string' ? `${b.$ref}/` : undefined);
    // Schema paths inside a $ref are relative to it: only errors at or below this value count.
    const below = (other: ErrorObject) =>
      other.instancePath === e.instancePath || other.instancePath.startsWith(`${e.instancePath}/`);
    const branchOf = (other: ErrorObject): number =>
      !below(other)
        ? -1
        : branches.findIndex(
            (b, i) =>
              other.schemaPath.startsWith(`${prefix}${i}/`) ||
              (refOf(b) !== undefined && other.schemaPath.startsWith(refOf(b)!)),
          );
    for (const other of errors) {
      if (other === e) continue;
      const b = branchOf(other);
      if (b < 0) continue;
      if (match < 0 || b !== match) dropped.add(other);
    }
    if (match >= 0) dropped.add(e);
  }

  // A misspelt `campaign` is one problem, not also a missing one.
  const rootTypo =
    ctx === CAMPAIGN_CONTEXT &&
    errors.some((e) => e.instancePath === '' && e.keyword === 'additionalProperties');
  for (const e of errors) {
    if (rootTypo && e.instancePath === '' && e.keyword === 'required') dropped.add(e);
  }
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // Infinity and NaN are reported once, as not finite, by the shape check.
    if (typeof e.data === 'number' && !Number.isFinite(e.data)) continue;
    if (dropped.has(e)) continue;
    const d = mapError(e, ctx);
    if (!d) continue;
    const k = `${d.code}|${JSON.stringify(d.where?.path)}|${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}

function mapError(e: ErrorObject, ctx: MapContext): Diagnostic | undefined {
  const segments = pathOf(e.instancePath);
  // Paths into arrays must be numeric for the locator (table keys that look numeric are rare).
  const path: DocPath = [...ctx.base, ...segments.map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s))];
  const defs = ctx.definitions;
  const parent = e.parentSchema as Schema | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((parent?.properties ?? {}) as object);
      const near = nearest(key, known);
      return diag(
        'unknown-key',
        `unknown key \`${key}\` in ${tableName(path)}`,
        { path: [...path, key], part: 'key' },
        { suggestion: near ? `did you mean \`${near}\`?` : `known keys: ${known.join(', ')}` },
      );
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return diag(
        'missing-key',
        `${tableName(path)} is missing the required key \`${key}\``,
        { path, part: 'key' },
        {
          suggestion: key === 'name' ? `add: name = "my-campaign"` : `add \`${key}\``,
        },
      );
    }
    case 'type': {
      // A key that is no known setting is read as a subcampaign, which must be a table.
      if (ctx === CAMPAIGN_CONTEXT && parent === definitions.node && !matchesType(e.data, 'object')) {
        const key = String(path[path.length - 1]);
        const parentIsCampaign = path.length === 2;
        const known = parentIsCampaign ? [...CAMPAIGN_KEYS, ...NODE_KEYS] : NODE_KEYS;
        const near = nearest(key, known);
        return diag(
          'unknown-key',
          `unknown key \`${key}\` in ${tableName(path.slice(0, -1))} (a subcampaign would be a table)`,
          { path, part: 'key' },
          { suggestion: near ? `did you mean \`${near}\`?` : undefined },
        );
      }
      const unit = unitHint(e.data, parent, ctx);
      if (unit)
        return diag(
          'bad-unit',
          unit.message(keyName(path)),
          { path, part: 'value' },
          { suggestion: unit.suggestion },
        );
      if (typeof e.data === 'bigint') return tooLarge(path, parent ?? {});
      return diag(
        'wrong-type',
        `${keyName(path)} must be ${describe(parent ?? {}, defs)}, not ${jsType(e.data)}`,
        {
          path,
          part: 'value',
        },
      );
    }
    case 'oneOf': {
      // `memory = 512` in resources (a size or a scaling): the unit is what is missing.
      const sized = ((e.schema as Schema[]) ?? []).map((b) => resolveRef(b, defs));
      const unit = sized.map((b) => unitHint(e.data, b, ctx)).find((u) => u !== undefined);
      if (unit)
        return diag(
          'bad-unit',
          unit.message(keyName(path)),
          { path, part: 'value' },
          { suggestion: unit.suggestion },
        );
      if (typeof e.data === 'bigint') {
        const numeric = ((e.schema as Schema[]) ?? [])
          .map((b) => resolveRef(b, defs))
          .find((b) => b.type === 'integer' || b.type === 'number');
        if (numeric) return tooLarge(path, numeric);
      }
      return diag(
        'wrong-type',
        `${keyName(path)} must be ${describe(parent ?? {}, defs)}, not ${jsType(e.data)}`,
        {
          path,
          part: 'value',
        },
      );
    }
    case 'enum': {
      const allowed = (e.schema as unknown[]).map((v) => JSON.stringify(v));
      const near =
        typeof e.data === 'string' ? nearest(e.data, (e.schema as unknown[]).map(String)) : undefined;
      return diag(
        'bad-value',
        `${keyName(path)} must be one of ${allowed.join(', ')}, not ${JSON.stringify(e.data)}`,
        { path, part: 'value' },
        { suggestion: near ? `did you mean "${near}"?` : undefined },
      );
    }
    case 'pattern': {
      const def = Object.keys(PATTERN_HINTS).find(
        (k) => ctx === CAMPAIGN_CONTEXT && definitions[k] === parent,
      );
      const described = typeof parent?.description === 'string' ? `as ${parent.description}` : undefined;
      const hint = def
        ? PATTERN_HINTS[def]!
        : { what: 'well-formed', example: described ?? `matching ${String(e.schema)}` };
      const unit = def === 'memory' || def === 'duration';
      // A number in quotes, or from --set: the unit alone is missing.
      const bare = unit && typeof e.data === 'string' && /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(e.data);
      return diag(
        unit ? 'bad-unit' : 'bad-value',
        `${keyName(path)} must be ${hint.what}, not ${JSON.stringify(e.data)}`,
        { path, part: 'value' },
        { suggestion: bare ? withUnit(def, (e.data as string).trim()) : `write it ${hint.example}` },
      );
    }
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum': {
      if (typeof e.data === 'bigint') return tooLarge(path, parent ?? {});
      const limit = (e.params as { limit: number }).limit;
      const bound = BOUND_WORDS[e.keyword]!;
      return diag('bad-value', `${keyName(path)} must be ${bound} ${limit}, not ${String(e.data)}`, {
        path,
        part: 'value',
      });
    }
    case 'maxLength':
    case 'minLength':
    case 'minItems':
      return diag('bad-value', `${keyName(path)} ${e.message ?? 'is out of range'}`, { path, part: 'value' });
    default:
      return diag('schema', `${keyName(path)} ${e.message ?? 'is invalid'}`, { path, part: 'value' });
  }
}

/**
 * The JSON types the schema allows at a document path (`['campaign', 'a', 'resources',
 * 'memory']` → string), for reading `--set` values; undefined where the schema does not say
 * (a workflow's `params`).
 */
export const settingTypes: ExpectedTypes = (path) => {
  let schemas: Schema[] = [campaignSchema];
  for (const seg of path) {
    const next: Schema[] = [];
    for (const s of schemas.flatMap(branches)) {
      const props = s.properties as Record<string, Schema> | undefined;
      const key = String(seg);
      if (props && Object.hasOwn(props, key)) next.push(props[key]!);
      else if (isSchema(s.additionalProperties)) next.push(s.additionalProperties);
      else if (isSchema(s.items) && /^[0-9]+$/.test(key)) next.push(s.items);
    }
    if (next.length === 0) return undefined;
    schemas = next;
  }
  const types = new Set<ValueType>();
  for (const s of schemas.flatMap(branches)) {
    if (Array.isArray(s.enum)) for (const e of s.enum) types.add(typeof e === 'string' ? 'string' : 'number');
    for (const t of Array.isArray(s.type) ? s.type : [s.type])
      if (typeof t === 'string') types.add(t as ValueType);
  }
  return types.size > 0 ? types : undefined;
};

/** A schema's alternatives: its `oneOf` branches (references resolved), or itself. */
function branches(s: Schema): Schema[] {
  const r = resolveRef(s);
  return Array.isArray(r.oneOf) ? (r.oneOf as Schema[]).flatMap(branches) : [r];
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
