import type { Submission } from '../contract.js';

/**
 * Everything two submissions must have equal to share one array job, as a string: resources
 * (without where they came from), options, limit, setup and throttle.
 */
export function requestKey(s: Submission): string {
  const { origins: _origins, runtime: _runtime, ...resources } = s.resources;
  return stable({
    resources,
    options: s.options,
    limit: s.limit ?? null,
    setup: s.setup,
    throttle: s.throttle ?? null,
  });
}

/** JSON with object keys sorted, so equal values give equal strings. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stable(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
