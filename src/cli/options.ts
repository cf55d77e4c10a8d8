import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit.js';

type Options = NonNullable<ParseArgsConfig['options']>;

// Each option is declared here once; a command spreads the groups it takes.

/** `--help`, which every command takes. */
export const helpOption = {
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Options every command that reads a campaign file takes. */
export const campaignOptions = {
  set: { type: 'string', multiple: true, short: 's' },
  ...helpOption,
} as const satisfies Options;

/** `--state-dir DIR`: where the campaign's state lives. */
export const stateDirOption = {
  'state-dir': { type: 'string' },
} as const satisfies Options;

/** `--json`: output for tools. */
export const jsonOption = {
  json: { type: 'boolean' },
} as const satisfies Options;

/** `--format F`, for commands with several formats (`--json` is `--format json`). */
export const formatOption = {
  format: { type: 'string' },
  ...jsonOption,
} as const satisfies Options;

/** `--run RUN`: one recorded run. */
export const runOption = {
  run: { type: 'string' },
} as const satisfies Options;

/** `--ui MODE`: the live view. */
export const uiOption = {
  ui: { type: 'string' },
} as const satisfies Options;

/** Which tasks a run takes; the patterns name tasks as `logs` does (see task-names.ts). */
export const selectionOptions = {
  only: { type: 'string', multiple: true },
  from: { type: 'string' },
  until: { type: 'string' },
  index: { type: 'string' },
  'retry-failed': { type: 'boolean' },
  force: { type: 'boolean' },
} as const satisfies Options;

/** An argument that reads as another override after `--set a=1`: `b=2`, `'"x.y".command=z'`. */
const OVERRIDE_WORD = /^(?:[A-Za-z0-9_-]+|"[^"]*")(?:\.(?:[A-Za-z0-9_-]+|"[^"]*"))*=/s;

/**
 * `--set a=1 b=2` is `--set a=1 --set b=2`: the words right after a `--set` value that read as
 * `path=value` are overrides too, until an option or a word of another form (the campaign file).
 */
export function spreadSets(argv: readonly string[]): string[] {
  const out: string[] = [];
  let inSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--set' || a === '-s') {
      out.push(a);
      if (i + 1 < argv.length) out.push(argv[++i]!);
      inSet = true;
      continue;
    }
    if (a.startsWith('--set=')) {
      out.push(a);
      inSet = true;
      continue;
    }
    if (inSet && OVERRIDE_WORD.test(a)) {
      out.push('--set', a);
      continue;
    }
    inSet = false;
    out.push(a);
  }
  return out;
}

/** parseArgs with usage errors instead of exceptions. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    const args = 'set' in options ? spreadSets(argv) : argv;
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/^.*?: /, '').replace(/\. To specify.*$/s, '');
    throw new UsageError(`${msg}\n\n${usage}`);
  }
}

export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
}

/** The output format of `--format F` and `--json`; both at once must agree. */
export function formatOf<T extends string>(
  values: { format?: string | undefined; json?: boolean | undefined },
  allowed: readonly T[],
  fallback: T,
): T {
  const format = oneOf('format', values.format, allowed, fallback);
  if (!values.json) return format;
  if (values.format !== undefined && values.format !== 'json')
    throw new UsageError(`--json and --format ${values.format} ask for different outputs: give one`);
  return 'json' as T;
}

/** The `--ui` mode, if given. */
export function uiOf(value: string | undefined): 'dashboard' | 'plain' | 'json' | undefined {
  return value === undefined
    ? undefined
    : oneOf('ui', value, ['dashboard', 'plain', 'json'] as const, 'plain');
}
