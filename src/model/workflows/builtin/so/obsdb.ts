import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One observation as the SO observation database describes it. */
export interface Observation {
  readonly obs_id: string;
  readonly timestamp: number;
  readonly wafers: readonly string[];
  readonly tube_slot: string;
  readonly n_samples: number;
}

/**
 * A `file://` value as a path (the SO campaign manager's spelling), relative paths against the
 * campaign's folder.
 */
export function filePath(value: string, dir: string): string {
  const p = value.startsWith('file://') ? value.slice('file://'.length) : value;
  return isAbsolute(p) ? p : resolve(dir, p);
}

/**
 * The observations a context's `obsdb` holds that `query` selects. The obsdb is read as CSV
 * (`obs_id,timestamp,wafer_slots_list,tube_slot,n_samples`); the query is `1` (all), `obs_id='X'`,
 * `obs_id IN ('X','Y')`, or `file://` a list of obs ids, one a line.
 */
export function selectObservations(context: string, query: string, dir: string): Observation[] {
  const ctxFile = filePath(context, dir);
  const ctx = parseYaml(readText(ctxFile, 'context')) as { obsdb?: unknown } | null;
  if (!ctx || typeof ctx.obsdb !== 'string') throw new Error(`the context ${ctxFile} names no \`obsdb\``);
  const db = resolve(dirname(ctxFile), ctx.obsdb);
  if (!db.endsWith('.csv')) {
    throw new Error(`the obsdb ${db} is not a CSV; splits and estimates read the obsdb as CSV`);
  }
  const all = parseObsdb(readText(db, 'obsdb'), db);
  const wanted = queryIds(query, dir);
  return wanted ? all.filter((o) => wanted.has(o.obs_id)) : all;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function parseObsdb(text: string, file: string): Observation[] {
  const [head, ...rows] = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const cols = (head ?? '').split(',').map((c) => c.trim());
  const need = ['obs_id', 'timestamp', 'wafer_slots_list', 'tube_slot', 'n_samples'];
  const missing = need.filter((c) => !cols.includes(c));
  if (missing.length > 0) throw new Error(`the obsdb ${file} has no column ${missing.join(', ')}`);
  const at = Object.fromEntries(need.map((c) => [c, cols.indexOf(c)]));
  return rows.map((row) => {
    // wafer_slots_list is quoted when it lists several wafers: "ws0,ws1".
    const f = csvFields(row);
    return {
      obs_id: f[at.obs_id!]!,
      timestamp: Number(f[at.timestamp!]),
      wafers: (f[at.wafer_slots_list!] ?? '').split(',').filter((w) => w !== ''),
      tube_slot: f[at.tube_slot!] ?? '',
      n_samples: Number(f[at.n_samples!]),
    };
  });
}

function csvFields(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of row.replace(/\r$/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function queryIds(query: string, dir: string): Set<string> | undefined {
  const q = query.trim();
  if (q === '1') return undefined;
  if (q.startsWith('file://')) {
    const text = readText(filePath(q, dir), 'query file');
    return new Set(
      text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }
  const m = /^obs_id\s*(?:=\s*(.+)|in\s*\((.*)\))$/is.exec(q);
  if (!m)
    throw new Error(`the query ${JSON.stringify(q)} is none of 1, obs_id='X', obs_id IN (...), file://`);
  const list = m[1] ?? m[2] ?? '';
  return new Set([...list.matchAll(/'((?:[^']|'')*)'/g)].map((x) => x[1]!.replace(/''/g, "'")));
}

/** A query that selects exactly these observations (quotes doubled, as SQL has them). */
export function queryOf(ids: readonly string[]): string {
  return `obs_id IN (${ids.map((id) => `'${id.replace(/'/g, "''")}'`).join(',')})`;
}
