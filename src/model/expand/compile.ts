import { type Diagnostic, type DocPath, diag } from '../../config/diagnostic.js';
import type { NodeSpec } from '../campaign.js';
import type { Instances } from './instances.js';
import { BUILTINS, type CommandTemplate } from './render.js';
import { checkRoots, MAX_ITEM_DIAGNOSTICS } from './scope.js';
import { formatValue, lookupPath, parseTemplate, type Ref, type Template } from './template.js';
import { checkItemValues, type Use } from './values.js';

/** The templates of a fanned-out node, parsed and checked against its instances. */
export interface CompiledNode {
  /** Undefined when a workflow type builds the command. */
  readonly command?: CommandTemplate;
  /** Environment values with placeholders (the others are used as they are). */
  readonly env: readonly (readonly [string, Template])[];
  readonly outputs: readonly Template[];
  readonly check?: CommandTemplate;
  /** `markers.ready` and `markers.done`, as path templates. */
  readonly markers?: { readonly ready?: Template; readonly done?: Template };
  readonly workdir?: Template;
  /** The check uses item values: a task of many items runs it once per item. */
  readonly checkPerItem: boolean;
}

/** Where a command came from, for positions: `command`, or a workflow's `params.command`. */
export interface CommandSource {
  readonly command: string | readonly string[];
  readonly path: DocPath;
}

/**
 * Parses the templates of a fanned-out node (command, env, outputs, check, workdir) and checks
 * every placeholder: it must name an item key or a built-in, and every instance must have a
 * value that takes its format. With `chunk`, a task runs many items, so the command, env and
 * workdir may use only the built-ins.
 */
export function compileNode(
  node: NodeSpec,
  instances: Instances,
  chunk: number | undefined,
  source: CommandSource | undefined,
  diagnostics: Diagnostic[],
): CompiledNode | undefined {
  const before = diagnostics.length;
  const at = (...rest: (string | number)[]): DocPath => [...node.docPath, ...rest];
  const compile = (
    text: string,
    path: DocPath,
    what: string,
    perTask: boolean,
    use: Use,
  ): Template | undefined => {
    const parsed = parseTemplate(text);
    if (!parsed.ok) {
      diagnostics.push(
        diag(
          'bad-template',
          `${parsed.message} in ${what}`,
          { path, part: 'value', span: { start: parsed.start, length: parsed.length } },
          { suggestion: parsed.suggestion },
        ),
      );
      return undefined;
    }
    const t = parsed.template;
    if (!checkRoots(t, instances.keys, BUILTINS, path, diagnostics, what)) return undefined;
    const runRef = t.refs.find(
      (r) => r.path[0] === 'run' && !instances.keys.includes('run') && (r.format || r.path.length > 1),
    );
    if (runRef) {
      diagnostics.push(
        diag(
          'bad-template',
          `\`${t.text.slice(runRef.start, runRef.start + runRef.length)}\` in ${what}: the run id takes no format`,
          { path, part: 'value', span: { start: runRef.start, length: runRef.length } },
          { suggestion: 'write `{run}`; it becomes the run id as it is (`20261201_093000_run004`)' },
        ),
      );
      return undefined;
    }
    if (chunk !== undefined && perTask) {
      const itemRef = t.refs.find((r) => instances.keys.includes(r.path[0]!));
      if (itemRef) {
        diagnostics.push(
          diag(
            'item-value-in-chunk',
            `\`${t.text.slice(itemRef.start, itemRef.start + itemRef.length)}\` in ${what} is a value of each item, but a task of \`chunk = ${chunk}\` runs many items`,
            { path, part: 'value', span: { start: itemRef.start, length: itemRef.length } },
            {
              suggestion:
                'the task reads its items from the manifest in $CAMPAIGN_ITEMS; here use {index}, {seed} or {instance}',
            },
          ),
        );
        return undefined;
      }
    }
    checkValues(t, instances, path, what, diagnostics);
    checkItemValues(t, instances, use, path, what, diagnostics);
    return t;
  };
  const compileCommand = (
    c: string | readonly string[],
    path: DocPath,
    what: string,
    perTask: boolean,
  ): CommandTemplate | undefined => {
    if (typeof c === 'string') {
      const t = compile(c, path, what, perTask, 'command');
      return t ? { kind: 'shell', template: t } : undefined;
    }
    const templates = c.map((arg, k) => compile(arg, [...path, k], what, perTask, 'command'));
    return templates.every((t) => t !== undefined)
      ? { kind: 'argv', templates: templates as Template[] }
      : undefined;
  };

  const command = source ? compileCommand(source.command, source.path, '`command`', true) : undefined;
  const env: (readonly [string, Template])[] = [];
  for (const [name, value] of Object.entries(node.env)) {
    if (!value.includes('{') && !value.includes('}')) continue;
    const t = compile(value, node.written.env[name] ?? at('env', name), `\`env.${name}\``, true, 'command');
    if (t && t.refs.length > 0) env.push([name, t]);
  }
  const outputs = node.outputs.map((o, k) => compile(o, at('outputs', k), '`outputs`', false, 'path'));
  const check =
    node.check !== undefined ? compileCommand(node.check, at('check'), '`check`', false) : undefined;
  const marker = (k: 'ready' | 'done') => {
    const text = node.markers?.[k];
    return text === undefined
      ? undefined
      : compile(text, at('markers', k), `\`markers.${k}\``, false, 'path');
  };
  const ready = marker('ready');
  const done = marker('done');
  const workdir =
    node.workdir !== undefined
      ? compile(node.workdir, node.written.workdir ?? at('workdir'), '`workdir`', true, 'path')
      : undefined;
  if (diagnostics.length > before) return undefined;
  const usesItems = (refs: readonly Ref[]) => refs.some((r) => instances.keys.includes(r.path[0]!));
  const checkRefs = check
    ? check.kind === 'shell'
      ? check.template.refs
      : check.templates.flatMap((t) => t.refs)
    : [];
  return {
    ...(command ? { command } : {}),
    env,
    outputs: outputs as Template[],
    ...(check ? { check } : {}),
    ...(ready || done ? { markers: { ...(ready ? { ready } : {}), ...(done ? { done } : {}) } } : {}),
    ...(workdir && workdir.refs.length > 0 ? { workdir } : {}),
    checkPerItem: usesItems(checkRefs),
  };
}

/** Every instance must have a value for each item placeholder, in a form its format takes. */
function checkValues(
  t: Template,
  instances: Instances,
  path: DocPath,
  what: string,
  out: Diagnostic[],
): void {
  const refs = t.refs.filter((r) => instances.keys.includes(r.path[0]!) && (r.path.length > 1 || r.format));
  if (refs.length === 0) return;
  let reported = 0;
  let more = 0;
  for (let i = 0; i < instances.count; i++) {
    for (const ref of refs) {
      const v = lookupPath(instances.get(i, ref.path[0]!), ref.path, 1);
      const text = v === undefined ? undefined : formatValue(v, ref.format);
      if (typeof text === 'string') continue;
      if (reported >= MAX_ITEM_DIAGNOSTICS) {
        more++;
        break;
      }
      reported++;
      const origin = instances.origin(i);
      const item = `item ${i}${origin ? ` (${origin})` : ''}`;
      const shown = t.text.slice(ref.start, ref.start + ref.length);
      out.push(
        v === undefined
          ? diag('missing-value', `${item} has no \`${ref.path.join('.')}\` for ${what}`, {
              path,
              part: 'value',
              span: { start: ref.start, length: ref.length },
            })
          : diag('bad-format', `${item}: \`${shown}\` in ${what} ${text!.error}`, {
              path,
              part: 'value',
              span: { start: ref.start, length: ref.length },
            }),
      );
      break;
    }
  }
  if (more > 0) {
    out.push(
      diag('rejected-items', `${more} more items have no value for a placeholder in ${what}`, {
        path,
        part: 'value',
      }),
    );
  }
}
