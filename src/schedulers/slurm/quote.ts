/**
 * A value as one shell word that the shell never expands: single quotes, or ANSI-C `$'...'`
 * quotes when the value holds control characters (newlines), so a word never spans lines.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  if (!/[\x00-\x1f\x7f]/.test(value)) return `'${value.replaceAll("'", `'\\''`)}'`;
  let out = "$'";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/**
 * A value for an `#SBATCH` line. sbatch reads these lines itself (not through a shell): it
 * honours double quotes with backslash escapes, and an unquoted `#` starts a comment.
 */
export function directiveValue(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** A literal path inside a Slurm filename pattern (`--output`), where `%` is special. */
export function patternLiteral(path: string): string {
  return path.replaceAll('%', '%%');
}
