import { type Diagnostic, type DocPath, diag, keyName } from '../config/diagnostic.js';
import { formatDuration, parseDuration, parseMemory } from './units.js';

/** Largest memory request or budget: 1 PiB, in MiB. */
export const MAX_MEMORY_MIB = 1024 ** 3;

/** Longest duration anywhere in a campaign: 365 days, in seconds. */
export const MAX_DURATION_S = 365 * 86_400;

/** The limits of a duration setting and what to say about a value below them. */
export interface DurationRule {
  readonly min: number;
  readonly max: number;
  readonly help?: string;
}

/** `runtime` and `timeout`: a zero would read as no limit at all. */
export const LIMIT_RULE: DurationRule = { min: 1, max: MAX_DURATION_S };
export const TIMEOUT_RULE: DurationRule = {
  min: 1,
  max: MAX_DURATION_S,
  help: 'leave `timeout` out to bound an attempt by twice the runtime, or by nothing without one',
};
export const BACKOFF_RULE: DurationRule = { min: 0, max: MAX_DURATION_S };
export const POLL_RULE: DurationRule = { min: 1, max: 86_400 };

/**
 * A memory size in MiB, or undefined after a diagnostic when it is zero or more than 1 PiB. A
 * malformed text is left to the schema, which reports it with the formats it takes.
 */
export function memoryIn(text: string, path: DocPath, out: Diagnostic[]): number | undefined {
  const mib = parseMemory(text);
  if (mib === undefined) return undefined;
  if (mib <= 0) {
    out.push(
      diag('bad-value', `${keyName(path)} must be more than 0, not ${JSON.stringify(text)}`, at(path)),
    );
    return undefined;
  }
  if (!(mib <= MAX_MEMORY_MIB)) {
    out.push(
      diag('bad-value', `${keyName(path)} must be at most 1P (1 PiB), not ${JSON.stringify(text)}`, at(path)),
    );
    return undefined;
  }
  return mib;
}

/** A duration in seconds, or undefined after a diagnostic when it is outside the rule's bounds. */
export function durationIn(
  text: string,
  path: DocPath,
  rule: DurationRule,
  out: Diagnostic[],
): number | undefined {
  const s = parseDuration(text);
  if (s === undefined) return undefined;
  if (s < rule.min) {
    const least = rule.min === 0 ? '0s' : formatDuration(rule.min);
    out.push(
      diag(
        'bad-value',
        `${keyName(path)} must be at least ${least}, not ${JSON.stringify(text)}`,
        at(path),
        rule.help ? { suggestion: rule.help } : {},
      ),
    );
    return undefined;
  }
  if (!(s <= rule.max)) {
    out.push(
      diag(
        'bad-value',
        `${keyName(path)} must be at most ${formatDuration(rule.max)}, not ${JSON.stringify(text)}`,
        at(path),
      ),
    );
    return undefined;
  }
  return s;
}

const at = (path: DocPath) => ({ path, part: 'value' as const });
