import type { ErrorObject } from 'ajv';
import { type Diagnostic, diag } from '../../config/diagnostic.js';
import type { NodeSpec } from '../campaign.js';
import { mapAjvErrors } from '../schema.js';
import type { Registered } from './registry.js';
import type { ParamOrigins } from './table-type.js';

type Origin = ReturnType<ParamOrigins['get']> & object;

/**
 * Schema errors of parameters written in the node's own table (or a group above it): each at the
 * key where it was written, and the missing ones as one diagnostic that lists them all.
 */
export function inlineErrors(
  node: NodeSpec,
  reg: Registered,
  errors: readonly ErrorObject[],
  origin: Origin,
): Diagnostic[] {
  const base = node.docPath;
  const mapped = mapAjvErrors(errors, base, reg.type.paramsSchema as Record<string, unknown>);
  const out: Diagnostic[] = [];
  const missing: string[] = [];
  for (const d of mapped) {
    const path = d.where?.path ?? [];
    if (d.code === 'missing-key' && path.length === base.length) {
      missing.push(/`([^`]+)`$/.exec(d.message)?.[1] ?? '?');
      continue;
    }
    const key = path[base.length];
    const from = typeof key === 'string' ? origin.from.get(key) : undefined;
    out.push(
      from && d.where ? { ...d, where: { ...d.where, path: [...from, ...path.slice(base.length + 1)] } } : d,
    );
  }
  if (missing.length > 0) {
    const table = `[${base.join('.')}]`;
    const group = node.parent ? `[${base.slice(0, -1).join('.')}]` : undefined;
    const names = missing.map((k) => `\`${k}\``);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    const type = reg.type.name === node.id ? 'workflow type' : `workflow type \`${reg.type.name}\``;
    out.push(
      diag(
        'missing-key',
        `\`${node.id}\` (${type}) needs ${list}`,
        { path: base, part: 'key' },
        {
          suggestion: `add ${missing.map((k) => `${k} = ...`).join(', ')} to ${table}${group ? `, or to ${group}, where every table in it finds them` : ''}`,
        },
      ),
    );
  }
  return out;
}
