import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';

/** The two spellings of a campaign file. */
export type Format = 'toml' | 'yaml';

/** A text that diagnostics can point into: the campaign file or one `--set` override. */
export interface Source {
  /** What diagnostics print as the file name. */
  readonly name: string;
  readonly text: string;
  readonly format: Format | 'override';
}

/** Picks the format from the file extension; TOML unless it says YAML. */
export function formatOf(path: string): Format {
  const ext = extname(path).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? 'yaml' : 'toml';
}

export type ReadResult = { ok: true; source: Source; path: string } | { ok: false; message: string };

/** Reads a campaign file; an unreadable file is an expected failure, not an exception. */
export function readSource(path: string): ReadResult {
  const abs = resolve(path);
  try {
    const text = readFileSync(abs, 'utf8');
    return { ok: true, source: { name: path, text, format: formatOf(path) }, path: abs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(err);
    return { ok: false, message: `cannot read ${path}: ${why}` };
  }
}
