import { shellQuote } from '../shell.js';
import { RUN_REF } from './run-ref.js';
import { formatValue, lookupPath, type Ref, render, type Template, valueText } from './template.js';

/** A command with placeholders: a shell string, or an argv array of templates. */
export type CommandTemplate =
  | { readonly kind: 'shell'; readonly template: Template }
  | { readonly kind: 'argv'; readonly templates: readonly Template[] };

/** What placeholders stand for in one task: an instance's values and the built-ins. */
export interface RenderContext {
  /** The value of an item key; undefined when there is none (always, for a chunk of items). */
  value(key: string): unknown;
  /** The instance's position among its node's instances, or the chunk's among its tasks. */
  readonly index: number;
  /** The instance id, or the chunk id (`chunk-0003`). */
  readonly id: string;
  seed(): number;
}

/** Placeholders every task has; an item key of the same name wins. */
export const BUILTINS: ReadonlySet<string> = new Set(['index', 'seed', 'instance', 'run']);

/** The value a placeholder stands for, or undefined when there is none. */
export function refValue(ctx: RenderContext, ref: Ref): unknown {
  const root = ref.path[0]!;
  const v = ctx.value(root);
  if (v !== undefined) return lookupPath(v, ref.path, 1);
  if (ref.path.length !== 1) return undefined;
  if (root === 'index') return ctx.index;
  if (root === 'seed') return ctx.seed();
  if (root === 'instance') return ctx.id;
  // Kept as written: the run is bound when an attempt is prepared (run-ref.ts).
  if (root === 'run') return RUN_REF;
  return undefined;
}

/** The text a placeholder becomes (values were checked at load time, so this cannot fail). */
export function refText(ctx: RenderContext, ref: Ref): string {
  const v = refValue(ctx, ref);
  const text = formatValue(v, ref.format);
  return typeof text === 'string' ? text : valueText(v);
}

/** Renders plain text: paths, environment values. Values are inserted as they are. */
export function renderText(t: Template, ctx: RenderContext): string {
  return render(t, (ref) => refText(ctx, ref));
}

/**
 * Renders a command. In a shell string every value is quoted, so it is one word that the shell
 * never evaluates; in an argv array a value becomes part of one argument, never split.
 */
export function renderCommand(c: CommandTemplate, ctx: RenderContext): string | string[] {
  if (c.kind === 'shell')
    return render(c.template, (ref) => {
      const text = refText(ctx, ref);
      // A run id needs no quoting; `{run}` stays a word of its own to be bound later.
      return text === RUN_REF ? text : shellQuote(text);
    });
  return c.templates.map((t) => renderText(t, ctx));
}

/** The placeholders of a command, for checks. */
export function commandRefs(c: CommandTemplate): { ref: Ref; element?: number }[] {
  if (c.kind === 'shell') return c.template.refs.map((ref) => ({ ref }));
  return c.templates.flatMap((t, element) => t.refs.map((ref) => ({ ref, element })));
}
