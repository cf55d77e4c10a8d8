/** Longest instance id: task ids (`node[instance]`) are folder names in the state directory. */
export const MAX_ID_LENGTH = 100;

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)(\..*)?$/i;
const ALLOWED = /^[\p{L}\p{N}_.+@-]+$/u;

/** What ids may hold, for messages. */
export const ID_CHARACTERS = 'letters, digits, `_`, `-`, `.`, `+` and `@`';

/**
 * Why an instance id is not a safe folder name and selector, or undefined when it is. Ids are
 * written into paths and job names, so anything a shell, a filesystem or `node[id]` selectors
 * would read specially is refused.
 */
export function idProblem(id: string): string | undefined {
  if (id === '') return 'is empty';
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(id);
  if (control)
    return `contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (id.includes('/')) return 'contains `/`';
  if (id.includes('\\')) return 'contains `\\`';
  if (id.includes('..')) return 'contains `..`';
  if (id.length > MAX_ID_LENGTH)
    return `is ${id.length} characters long; at most ${MAX_ID_LENGTH} are allowed`;
  if (id.startsWith('-')) return 'starts with `-` (commands would read it as an option)';
  if (id.startsWith('.')) return 'starts with `.` (a hidden file)';
  if (id.endsWith('.')) return 'ends with `.`';
  if (RESERVED.test(id)) return `is a reserved file name (${id.split('.')[0]!.toUpperCase()})`;
  if (!ALLOWED.test(id)) {
    const bad = [...id].find((ch) => !ALLOWED.test(ch))!;
    const shown = bad === ' ' ? 'a space' : `\`${bad}\``;
    return `contains ${shown}; ids may hold ${ID_CHARACTERS}`;
  }
  return undefined;
}

/** Digits needed to write n - 1 (the largest 0-based index of n things). */
export function widthFor(n: number, min = 1): number {
  return Math.max(min, String(Math.max(0, n - 1)).length);
}

/** `7` with width 4 → `0007`. */
export function padIndex(i: number, width: number): string {
  return String(i).padStart(width, '0');
}
