import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './exit.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command that reads a campaign file takes. */
export const campaignOptions = {
  set: { type: 'string', multiple: true, short: 's' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** parseArgs with usage errors instead of exceptions. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
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
