import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

const GLOB = /[*?[\]{}]/;

/** The declared outputs that do not exist (a glob counts when it matches at least one file). */
export function missingOutputs(workdir: string, outputs: readonly string[]): string[] {
  return outputs.filter((o) => matches(workdir, o, 1).length === 0);
}

/**
 * The files the outputs name, each once, sorted: a plain path as itself, a glob as what it
 * matches. Undefined when an output is missing.
 */
export function outputFiles(workdir: string, outputs: readonly string[]): string[] | undefined {
  const files = new Set<string>();
  for (const o of outputs) {
    const found = matches(workdir, o, Number.POSITIVE_INFINITY);
    if (found.length === 0) return undefined;
    for (const f of found) files.add(f);
  }
  return [...files].sort();
}

/** Up to `limit` existing paths a pattern names, relative to the workdir. */
function matches(workdir: string, pattern: string, limit: number): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(workdir, pattern);
  if (!GLOB.test(pattern)) return existsSync(abs) ? [abs] : [];
  // Walk only below the part of the pattern that has no wildcard.
  const parts = abs.split(sep);
  const firstGlob = parts.findIndex((p) => GLOB.test(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const match = picomatch(relative(base, abs), { dot: false });
  const deep = abs.includes('**');
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (found.length >= limit) return;
      const p = join(dir, e.name);
      if (match(relative(base, p))) found.push(p);
      if (e.isDirectory() && (deep || depth < parts.length - firstGlob - 1)) walk(p, depth + 1);
    }
  };
  walk(base, 0);
  return found;
}
