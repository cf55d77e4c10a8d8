/**
 * A value as one POSIX shell word that is never expanded, on one line: single quotes, with a
 * line break written as `'"$campaign_nl"'` (the script defines `campaign_nl` as a newline),
 * since `/bin/sh` may be dash, which has no `$'...'` quotes. The script's task table is read
 * line by line, so a word must not span lines.
 */
export function shWord(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  const quoted = `'${value.replaceAll("'", `'\\''`).replaceAll('\n', `'"$campaign_nl"'`)}'`;
  // A value that ends in a line break leaves an empty '' at the end; drop it.
  return quoted.endsWith(`"$campaign_nl"''`) ? quoted.slice(0, -2) : quoted;
}

/**
 * An argv as it would be typed at a shell prompt, for a comment in the script: never run, and
 * on one line whatever the values hold (control characters are shown as `\xNN`).
 */
export function commandLine(argv: readonly string[]): string {
  return argv
    .map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A value for a comment line: white space (line breaks included) as single spaces. */
export const oneLine = (s: string) => s.replace(/\s+/g, ' ');
