import { type Diagnostic, type DocPath, diag } from '../../config/diagnostic.js';
import type { Instances } from './instances.js';
import { MAX_ITEM_DIAGNOSTICS } from './scope.js';
import { formatValue, lookupPath, type Template } from './template.js';

/** How a template is used: its values become part of a command, or of a path. */
export type Use = 'command' | 'path';

/**
 * Why a value cannot be put into a path, or undefined when it can. A value must not lead out of
 * the folder the template puts it in: no absolute path, no `..` segment. Nor may it hold a NUL
 * or a line break, which no path holds safely.
 */
export function pathValueProblem(text: string): string | undefined {
  const control = /[\u0000-\u001f\u007f]/.exec(text);
  if (control)
    return control[0] === '\u0000'
      ? 'holds a NUL character (U+0000)'
      : `holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  if (text.startsWith('/') || text.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(text))
    return 'is an absolute path, outside the campaign folder';
  if (text.split(/[\\/]/).includes('..'))
    return 'has a `..` segment and would lead out of the campaign folder';
  return undefined;
}

/** Why a value cannot be part of a command or an environment value (a NUL ends a C string). */
function commandValueProblem(text: string): string | undefined {
  return text.includes('\u0000') ? 'holds a NUL character (U+0000); no program can be given one' : undefined;
}

const help = (use: Use, ref: string): string =>
  use === 'command'
    ? 'remove the NUL from the data'
    : `a value in \`workdir\` or \`outputs\` must stay inside the campaign folder; \`{${ref}:slug}\` makes a safe name of any value`;

/**
 * Checks every value an item placeholder of `t` puts into a command or a path, once per value
 * (each axis's values, not each instance's). Ranges are integers and need no look. Problems are
 * reported per item, at the placeholder, at most MAX_ITEM_DIAGNOSTICS per template.
 */
export function checkItemValues(
  t: Template,
  instances: Instances,
  use: Use,
  path: DocPath,
  what: string,
  out: Diagnostic[],
): boolean {
  const problemOf = use === 'path' ? pathValueProblem : commandValueProblem;
  let reported = 0;
  for (const ref of t.refs) {
    const root = ref.path[0]!;
    if (!instances.keys.includes(root)) continue;
    for (const column of instances.columns(root)) {
      if (column.kind === 'range') continue;
      for (let j = 0; j < column.size && reported < MAX_ITEM_DIAGNOSTICS; j++) {
        const v = lookupPath(column.value(j), ref.path, 1);
        if (v === undefined) continue;
        const text = formatValue(v, ref.format);
        if (typeof text !== 'string') continue;
        const problem = problemOf(text);
        if (!problem) continue;
        reported++;
        const i = column.instance(j);
        const origin = instances.origin(i);
        const shown = t.text.slice(ref.start, ref.start + ref.length);
        out.push(
          diag(
            use === 'path' ? 'unsafe-path' : 'nul-in-value',
            `item ${i}${origin ? ` (${origin})` : ''}: \`${shown}\` in ${what} is \`${JSON.stringify(text).slice(1, -1)}\`, which ${problem}`,
            { path, part: 'value', span: { start: ref.start, length: ref.length } },
            { suggestion: help(use, ref.path.join('.')) },
          ),
        );
      }
    }
  }
  return reported === 0;
}
