/** A word that no shell splits or expands, written as it is. */
const PLAIN = /^[A-Za-z0-9_./:=@%+,-]+$/;

/**
 * A value as one bash word that the shell never expands: single quotes, or ANSI-C `$'...'`
 * quotes when the value holds control characters (newlines), so a word never spans lines.
 */
export function shellWord(value: string): string {
  if (PLAIN.test(value)) return value;
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
 * A value as one POSIX shell word that is never expanded, on one line: single quotes, with a
 * line break written as `'"$campaign_nl"'` (the script defines `campaign_nl` as a newline),
 * since `/bin/sh` may be dash, which has no `$'...'` quotes. A script's task table is read
 * line by line, so a word must not span lines.
 */
export function shWord(value: string): string {
  if (PLAIN.test(value)) return value;
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
    .map((a) => (PLAIN.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(' ')
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A value for a comment line: white space (line breaks included) as single spaces. */
export const oneLine = (s: string) => s.replace(/\s+/g, ' ');
