import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { parseCsv } from './csv.js';

/** The item formats `foreach` reads. */
export type ItemFormat = 'csv' | 'tsv' | 'json' | 'jsonl' | 'geojson' | 'lines';

/** `foreach` as written: a path or glob, or a table. */
export type ForeachSpec = string | Readonly<Record<string, string>>;

/** The items of one `foreach`, each a record, with where each came from. */
export interface ItemSource {
  /** What the items were read from, for messages: `data/basins.csv`, `inputs/*.nc`. */
  readonly label: string;
  readonly items: readonly Readonly<Record<string, unknown>>[];
  /** The fields of the items (the union over all items), in first-seen order. */
  readonly keys: readonly string[];
  /** Where item i came from: `data/basins.csv line 5`, `data/w.geojson feature 3`. */
  origin(i: number): string;
}

/** A problem with the data; `item` is set when it concerns one item. */
export interface SourceProblem {
  readonly message: string;
  readonly item?: number;
}

export type SourceResult = { ok: true; source: ItemSource } | { ok: false; problems: SourceProblem[] };

const GLOB = /[*?[\]{}]/;
const MAX_PROBLEMS = 20;

/** Reads the items of a `foreach`; relative paths resolve against the campaign's folder. */
export function readItems(spec: ForeachSpec, dir: string): SourceResult {
  const table = typeof spec === 'string' ? undefined : spec;
  const file = typeof spec === 'string' ? (GLOB.test(spec) ? undefined : spec) : table?.file;
  const glob = typeof spec === 'string' ? (GLOB.test(spec) ? spec : undefined) : table?.glob;
  if ((file === undefined) === (glob === undefined)) {
    return fail('`foreach` needs either `file` or `glob`, not both or neither');
  }
  const as = table?.as;
  const read = glob !== undefined ? readGlob(glob, dir) : readFile(file!, dir, table?.format);
  if (!read.ok || as === undefined) return read;
  const inner = read.source;
  return {
    ok: true,
    source: {
      label: inner.label,
      items: inner.items.map((item) => ({ [as]: item })),
      keys: [as],
      origin: (i) => inner.origin(i),
    },
  };
}

function fail(message: string): SourceResult {
  return { ok: false, problems: [{ message }] };
}

function formatOf(path: string): ItemFormat {
  switch (extname(path).toLowerCase()) {
    case '.csv':
      return 'csv';
    case '.tsv':
    case '.tab':
      return 'tsv';
    case '.json':
      return 'json';
    case '.jsonl':
    case '.ndjson':
      return 'jsonl';
    case '.geojson':
      return 'geojson';
    default:
      return 'lines';
  }
}

function readFile(path: string, dir: string, format: string | undefined): SourceResult {
  const abs = isAbsolute(path) ? path : resolve(dir, path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(e);
    return fail(`cannot read ${path}: ${why}`);
  }
  const kind = (format as ItemFormat | undefined) ?? formatOf(path);
  switch (kind) {
    case 'csv':
    case 'tsv':
      return csvItems(path, text, kind === 'csv' ? ',' : '\t');
    case 'json':
    case 'geojson':
      return jsonItems(path, text, kind === 'geojson');
    case 'jsonl':
      return jsonLinesItems(path, text);
    case 'lines':
      return lineItems(path, text);
  }
}

function csvItems(path: string, text: string, sepChar: ',' | '\t'): SourceResult {
  const parsed = parseCsv(text, sepChar);
  if (!parsed.ok) return fail(`${path} line ${parsed.line}: ${parsed.message}`);
  const [header, ...rows] = parsed.rows;
  if (!header) return fail(`${path} is empty; it needs a header row naming the columns`);
  const names = header.fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (const [i, name] of names.entries()) {
    if (name === '') return fail(`${path} line ${header.line}: column ${i + 1} has no name`);
    if (seen.has(name)) return fail(`${path} line ${header.line}: column \`${name}\` appears twice`);
    seen.add(name);
  }
  const problems: SourceProblem[] = [];
  const items: Record<string, unknown>[] = [];
  const lines = new Int32Array(rows.length);
  for (const [r, row] of rows.entries()) {
    if (row.fields.length !== names.length) {
      problems.push({
        item: r,
        message: `${path} line ${row.line}: ${row.fields.length} field${row.fields.length === 1 ? '' : 's'}, but the header names ${names.length}`,
      });
      continue;
    }
    const item: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) item[names[c]!] = row.fields[c];
    lines[items.length] = row.line;
    items.push(item);
  }
  if (problems.length > 0) return { ok: false, problems: capped(problems) };
  return { ok: true, source: { label: path, items, keys: names, origin: (i) => `${path} line ${lines[i]}` } };
}

function jsonItems(path: string, text: string, geo: boolean): SourceResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail(`${path}: ${jsonError(e, text)}`);
  }
  const isCollection =
    data !== null && typeof data === 'object' && (data as { type?: unknown }).type === 'FeatureCollection';
  if (geo || isCollection) return geoItems(path, data);
  if (!Array.isArray(data))
    return fail(`${path} must hold a JSON array of items (or a GeoJSON FeatureCollection)`);
  const items = data.map(asRecord);
  return {
    ok: true,
    source: { label: path, items, keys: keysOf(items), origin: (i) => `${path} item ${i}` },
  };
}

function jsonLinesItems(path: string, text: string): SourceResult {
  const items: Record<string, unknown>[] = [];
  const problems: SourceProblem[] = [];
  const lines: number[] = [];
  const all = text.split('\n');
  for (let n = 0; n < all.length; n++) {
    const l = all[n]!.trim();
    if (l === '') continue;
    try {
      items.push(asRecord(JSON.parse(l)));
      lines.push(n + 1);
    } catch (e) {
      problems.push({ item: items.length, message: `${path} line ${n + 1}: ${jsonError(e, l)}` });
    }
  }
  if (problems.length > 0) return { ok: false, problems: capped(problems) };
  return {
    ok: true,
    source: { label: path, items, keys: keysOf(items), origin: (i) => `${path} line ${lines[i]}` },
  };
}

function lineItems(path: string, text: string): SourceResult {
  const items: Record<string, unknown>[] = [];
  const lines: number[] = [];
  const all = text.split('\n');
  for (let n = 0; n < all.length; n++) {
    const l = all[n]!.replace(/\r$/, '');
    if (l.trim() === '') continue;
    items.push({ line: l });
    lines.push(n + 1);
  }
  return {
    ok: true,
    source: { label: path, items, keys: ['line'], origin: (i) => `${path} line ${lines[i]}` },
  };
}

/** GeoJSON features: their properties, plus id, geometry type and bounding box. */
function geoItems(path: string, data: unknown): SourceResult {
  const fc = data as { type?: unknown; features?: unknown };
  if (
    fc === null ||
    typeof fc !== 'object' ||
    fc.type !== 'FeatureCollection' ||
    !Array.isArray(fc.features)
  ) {
    return fail(`${path} must hold a GeoJSON FeatureCollection`);
  }
  const problems: SourceProblem[] = [];
  const items: Record<string, unknown>[] = [];
  for (const [i, f] of (fc.features as unknown[]).entries()) {
    const feature = f as {
      type?: unknown;
      id?: unknown;
      properties?: unknown;
      geometry?: unknown;
      bbox?: unknown;
    };
    if (feature === null || typeof feature !== 'object' || feature.type !== 'Feature') {
      problems.push({ item: i, message: `${path} feature ${i} is not a GeoJSON Feature` });
      continue;
    }
    const geometry = feature.geometry as {
      type?: unknown;
      coordinates?: unknown;
      geometries?: unknown;
    } | null;
    const props = feature.properties;
    items.push({
      id: typeof feature.id === 'string' || typeof feature.id === 'number' ? feature.id : null,
      properties: props !== null && typeof props === 'object' && !Array.isArray(props) ? props : {},
      geometry: { type: geometry && typeof geometry.type === 'string' ? geometry.type : null },
      bbox: Array.isArray(feature.bbox) ? feature.bbox : bboxOf(geometry),
    });
  }
  if (problems.length > 0) return { ok: false, problems: capped(problems) };
  return {
    ok: true,
    source: {
      label: path,
      items,
      keys: ['id', 'properties', 'geometry', 'bbox'],
      origin: (i) => `${path} feature ${i}`,
    },
  };
}

function bboxOf(geometry: { coordinates?: unknown; geometries?: unknown } | null): number[] | null {
  if (!geometry) return null;
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c: unknown): void => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      box[0] = Math.min(box[0]!, c[0]);
      box[1] = Math.min(box[1]!, c[1]);
      box[2] = Math.max(box[2]!, c[0]);
      box[3] = Math.max(box[3]!, c[1]);
      return;
    }
    for (const x of c) visit(x);
  };
  visit(geometry.coordinates);
  if (Array.isArray(geometry.geometries)) {
    for (const g of geometry.geometries) visit((g as { coordinates?: unknown } | null)?.coordinates);
  }
  return Number.isFinite(box[0]) ? box : null;
}

/** Files matching a glob, sorted: each item is `{ path, name, stem, dir }`. */
function readGlob(pattern: string, dir: string): SourceResult {
  const abs = isAbsolute(pattern) ? pattern : join(dir, pattern);
  const parts = abs.split(sep);
  const firstGlob = parts.findIndex((p) => GLOB.test(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const match = picomatch(parts.slice(firstGlob).join('/'), { dot: false });
  const deep = pattern.includes('**');
  const depthLimit = parts.length - firstGlob;
  const found: string[] = [];
  const walk = (at: string, depth: number): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(at, e.name);
      if (e.isDirectory()) {
        if (deep || depth + 1 < depthLimit) walk(p, depth + 1);
      } else if (match(relative(base, p).split(sep).join('/'))) found.push(p);
    }
  };
  walk(base, 0);
  found.sort();
  if (found.length === 0) return fail(`\`${pattern}\` matches no file`);
  const items = found.map((p) => {
    const shown = isAbsolute(pattern) ? p : relative(dir, p).split(sep).join('/');
    const name = basename(p);
    const ext = extname(name);
    return { path: shown, name, stem: ext ? name.slice(0, -ext.length) : name, dir: dirname(shown) };
  });
  return {
    ok: true,
    source: { label: pattern, items, keys: ['path', 'name', 'stem', 'dir'], origin: (i) => items[i]!.path },
  };
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : { value: v };
}

function keysOf(items: readonly Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const item of items) for (const k of Object.keys(item)) keys.add(k);
  return [...keys];
}

function jsonError(e: unknown, text: string): string {
  const msg = e instanceof Error ? e.message : String(e);
  const at = /at position ([0-9]+)/.exec(msg);
  if (!at) return `invalid JSON: ${msg}`;
  const pos = Number(at[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `invalid JSON at line ${line}, column ${column}: ${msg.replace(/ in JSON at position [0-9]+.*$/, '')}`;
}

function capped(problems: SourceProblem[]): SourceProblem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [
    ...problems.slice(0, MAX_PROBLEMS),
    { message: `… and ${problems.length - MAX_PROBLEMS} more problems of the same kind` },
  ];
}
