import { type Diagnostic, type DocPath, diag } from './diagnostic.js';
import { nearest } from './suggest.js';

const VAR = /\$\$\{|\$\{([^}]*)\}/g;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Replaces `${name}` with `[campaign.vars]` values and `${env.NAME}` (or `${env.NAME:-default}`)
 * with the environment, in every string value under `[campaign]`. `$${` is a literal `${`.
 * Values are substituted as text, never evaluated. TOML datetimes become ISO strings.
 */
export function interpolate(
  data: Record<string, unknown>,
  env: Env,
  /** Filled with the names of the variables some string refers to. */
  used: Set<string> = new Set(),
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const campaign = data.campaign;
  if (!isTable(campaign)) return diagnostics;
  const rawVars = isTable(campaign.vars) ? campaign.vars : {};
  const resolved = new Map<string, string>();
  const resolving = new Set<string>();

  const lookup = (name: string, where: DocPath, start: number, length: number): string | undefined => {
    if (name.startsWith('env.')) {
      const spec = name.slice(4);
      const dash = spec.indexOf(':-');
      const envName = dash >= 0 ? spec.slice(0, dash) : spec;
      const value = env[envName];
      if (value !== undefined && value !== '') return value;
      if (dash >= 0) return spec.slice(dash + 2);
      diagnostics.push(
        diag(
          'undefined-env',
          `environment variable \`${envName}\` is not set`,
          {
            path: where,
            part: 'value',
            span: { start, length },
          },
          { suggestion: `set it, or give a default: \${env.${envName}:-value}` },
        ),
      );
      return undefined;
    }
    used.add(name);
    const cached = resolved.get(name);
    if (cached !== undefined) return cached;
    if (!Object.hasOwn(rawVars, name)) {
      const near = nearest(name, Object.keys(rawVars));
      diagnostics.push(
        diag(
          'undefined-var',
          `undefined variable \`${name}\``,
          { path: where, part: 'value', span: { start, length } },
          {
            suggestion: near
              ? `did you mean \`\${${near}}\`?`
              : `define it in [campaign.vars], or write $\${${name}} for a literal \${${name}}`,
          },
        ),
      );
      return undefined;
    }
    if (resolving.has(name)) {
      diagnostics.push(
        diag('var-cycle', `variable \`${name}\` refers to itself`, {
          path: ['campaign', 'vars', name],
          part: 'value',
        }),
      );
      return undefined;
    }
    resolving.add(name);
    const raw = rawVars[name];
    const value = typeof raw === 'string' ? substitute(raw, ['campaign', 'vars', name]) : scalarText(raw);
    resolving.delete(name);
    if (value !== undefined) resolved.set(name, value);
    return value;
  };

  const substitute = (s: string, where: DocPath): string | undefined => {
    if (!s.includes('${')) return s;
    let failed = false;
    const out = s.replace(VAR, (match, name: string | undefined, offset: number) => {
      if (match === '$${') return '${';
      const v = lookup((name ?? '').trim(), where, offset, match.length);
      if (v === undefined) failed = true;
      return v ?? match;
    });
    return failed ? undefined : out;
  };

  // Paths are kept as parent links and spelled out only for a string that holds `${`.
  const walk = (value: unknown, at: Link): unknown => {
    if (typeof value === 'string')
      return value.includes('${') ? (substitute(value, spell(at)) ?? value) : value;
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (needsWalk(child)) value[i] = walk(child, { up: at, key: i });
      }
      return value;
    }
    if (isTable(value)) {
      for (const k of Object.keys(value)) {
        const child = value[k];
        if (needsWalk(child)) value[k] = walk(child, { up: at, key: k });
      }
    }
    return value;
  };

  const top: Link = { up: undefined, key: 'campaign' };
  for (const k of Object.keys(campaign)) {
    if (k === 'vars') continue;
    const child = campaign[k];
    if (needsWalk(child)) campaign[k] = walk(child, { up: top, key: k });
  }
  // Every variable is resolved, so that problems in unused ones show too; that is no use of them.
  const referenced = new Set(used);
  for (const name of Object.keys(rawVars)) lookup(name, ['campaign', 'vars', name], 0, 0);
  used.clear();
  for (const name of referenced) used.add(name);
  return diagnostics;
}

interface Link {
  readonly up: Link | undefined;
  readonly key: string | number;
}

function spell(link: Link): (string | number)[] {
  const path: (string | number)[] = [];
  for (let l: Link | undefined = link; l; l = l.up) path.push(l.key);
  return path.reverse();
}

/** Strings with `$` and containers need a look; other scalars don't. */
function needsWalk(v: unknown): boolean {
  return typeof v === 'string' ? v.includes('$') : typeof v === 'object' && v !== null;
}

function scalarText(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
