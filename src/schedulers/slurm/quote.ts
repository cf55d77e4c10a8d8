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
