import { type Diagnostic, type DocPath, diag } from '../../config/diagnostic.js';
import { isTable } from '../../config/interpolate.js';
import { nearest } from '../../config/suggest.js';
import { campaignKeys, nodeKeys } from '../schema.js';
import type { Registered, WorkflowRegistry } from './registry.js';

/** Where each parameter of a table-typed node was written: the table itself, or a group above it. */
export type ParamOrigins = WeakMap<object, { readonly table: DocPath; readonly from: Map<string, DocPath> }>;

const NODE = new Set(nodeKeys);
const ROOT = new Set(campaignKeys);

type Table = Record<string, unknown>;

/**
 * The SO campaign manager's spelling: a table named after a workflow type (its path id,
 * `ml-null-tests.mission-tests`, or its own name, `ml-mapmaking`), or one with `workflow` and no
 * `params`, gives the type's parameters directly as keys. Such keys move into `params` before the
 * schema sees the document; a group's keys that are parameters of the types below it are given
 * to each of them (the closest table wins). Keys of a table without a type that are no setting
 * are one diagnostic, saying what to add. Returns where every moved parameter was written.
 */
export function liftTableParams(
  data: Record<string, unknown>,
  registry: WorkflowRegistry,
): { origins: ParamOrigins; diagnostics: Diagnostic[]; untyped: Set<string> } {
  const origins: ParamOrigins = new WeakMap();
  const diagnostics: Diagnostic[] = [];
  const campaign = data.campaign;
  const untypedAt = new Set<string>();
  if (!isTable(campaign)) return { origins, diagnostics, untyped: untypedAt };
  const consumed = new Map<Table, Set<string>>();
  const groups: { table: Table; path: DocPath; id: string }[] = [];

  const visit = (
    table: Table,
    path: DocPath,
    id: string | undefined,
    above: { table: Table; path: DocPath }[],
  ) => {
    for (const key of Object.keys(table)) {
      if (id === undefined ? ROOT.has(key) : NODE.has(key)) continue;
      const child = table[key];
      if (!isTable(child)) continue;
      const childId = id === undefined ? key : `${id}.${key}`;
      const childPath = [...path, key];
      const reg = typeOf(child, childId, key, registry);
      if (reg) {
        const props = new Set(Object.keys((reg.type.paramsSchema.properties ?? {}) as object));
        const params: Table = {};
        const from = new Map<string, DocPath>();
        for (const k of Object.keys(child)) {
          if (NODE.has(k) || (isTable(child[k]) && !props.has(k))) continue;
          params[k] = child[k];
          delete child[k];
        }
        for (const g of above) {
          for (const k of Object.keys(g.table)) {
            if (!props.has(k) || k in params || NODE.has(k) || isTable(g.table[k])) continue;
            params[k] = g.table[k];
            from.set(k, [...g.path, k]);
            const used = consumed.get(g.table) ?? new Set<string>();
            used.add(k);
            consumed.set(g.table, used);
          }
        }
        child.workflow ??= reg.type.name;
        child.params = params;
        origins.set(params, { table: childPath, from });
        continue;
      }
      if (child.command === undefined && child.workflow === undefined) {
        groups.push({ table: child, path: childPath, id: childId });
      }
      // Closest first: the group just above the table wins.
      visit(child, childPath, childId, [{ table: child, path: childPath }, ...above]);
    }
  };
  visit(campaign, ['campaign'], undefined, []);

  for (const [table, keys] of consumed) for (const k of keys) delete table[k];
  for (const g of groups) {
    const d = untyped(g.table, g.path, g.id, registry);
    if (!d) continue;
    diagnostics.push(d);
    untypedAt.add(JSON.stringify(g.path));
  }
  return { origins, diagnostics, untyped: untypedAt };
}

/** The type a table is written in, if its keys are that type's parameters. */
function typeOf(table: Table, id: string, key: string, registry: WorkflowRegistry): Registered | undefined {
  if (table.command !== undefined || table.params !== undefined) return undefined;
  if (table.workflow !== undefined && typeof table.workflow !== 'string') return undefined;
  const named = typeof table.workflow === 'string';
  const reg = named ? registry.get(table.workflow as string) : (registry.get(id) ?? registry.get(key));
  // Types whose command is a template (`command`, `split`) keep their `params` table.
  if (!reg || reg.commandParam) return undefined;
  if (named) return reg;
  // A table with subcampaigns is a group, whatever its name.
  const props = (reg.type.paramsSchema.properties ?? {}) as object;
  const sub = Object.keys(table).some((k) => !NODE.has(k) && !(k in props) && isTable(table[k]));
  return sub ? undefined : reg;
}

/**
 * The keys of a table without command or type that are no setting and no typo of one: the
 * parameters of a workflow type that is not named. They are removed (so the schema does not
 * report each again) and reported once.
 */
function untyped(
  table: Table,
  path: DocPath,
  id: string,
  registry: WorkflowRegistry,
): Diagnostic | undefined {
  const stray = Object.keys(table).filter(
    (k) => !NODE.has(k) && !isTable(table[k]) && nearest(k, nodeKeys) === undefined,
  );
  if (stray.length === 0) return undefined;
  for (const k of stray) delete table[k];
  const named = stray.slice(0, 3).map((k) => `\`${k}\``);
  if (stray.length > 3) named.push(`${stray.length - 3} more`);
  const keys = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
  const near = nearest(id, registry.names()) ?? nearest(id.split('.').pop()!, registry.names());
  const table_ = `[${path.join('.')}]`;
  return diag(
    'params-without-workflow',
    `${table_} sets ${keys}, which no table has; no workflow type is named \`${id}\` to take ${stray.length === 1 ? 'it' : 'them'} as parameters`,
    { path: [...path, stray[0]!], part: 'key' },
    {
      suggestion: near
        ? `did you mean the workflow type \`${near}\`? add \`workflow = "${near}"\` to ${table_}`
        : `add \`workflow = "<type>"\` to ${table_} (types: ${registry.names().join(', ')}), or register a type named \`${id}\` in a plugin: \`plugins = ["plugins/<file>.mjs"]\` in [campaign]`,
    },
  );
}
