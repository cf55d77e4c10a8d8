import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';

const GLOB = /[*?[\]{}]/;

/** The declared outputs that do not exist (a glob counts when it matches at least one file). */
export function missingOutputs(workdir: string, outputs: readonly string[]): string[] {
  return outputs.filter((o) => !exists(workdir, o));
}

function exists(workdir: string, pattern: string): boolean {
  const abs = isAbsolute(pattern) ? pattern : resolve(workdir, pattern);
  if (!GLOB.test(pattern)) return existsSync(abs);
  // Walk only below the part of the pattern that has no wildcard.
  const parts = abs.split(sep);
  const firstGlob = parts.findIndex((p) => GLOB.test(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const match = picomatch(relative(base, abs), { dot: false });
  const deep = abs.includes('**');
  const walk = (dir: string, depth: number): boolean => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (match(relative(base, p))) return true;
      if (e.isDirectory() && (deep || depth < parts.length - firstGlob - 1) && walk(p, depth + 1))
        return true;
    }
    return false;
  };
  return walk(base, 0);
}
