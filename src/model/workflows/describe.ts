/** A value named for a message about what a plugin gave: `42`, `"x"`, `a table`, `nothing`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (v instanceof Promise) return 'a promise';
  return 'a table';
}

/** The first line of an error's message (stack traces are for bugs, not for plugin authors). */
export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!;
}
