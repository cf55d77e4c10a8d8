import { type Diagnostic, type DiagnosticCode, type DocPath, diag } from '../../config/diagnostic.js';
import { nearest } from '../../config/suggest.js';
import type { Campaign, NodeSpec } from '../campaign.js';
import type { CommandCall, NodeWorkflow } from '../expand/index.js';
import type { WorkflowInstances } from '../expand/scope.js';
import { mapAjvErrors } from '../schema.js';
import { shellQuote } from '../shell.js';
import type { ResourceEstimate } from '../tasks.js';
import { parseDuration, parseMemory } from '../units.js';
import { describeValue, firstLine } from './describe.js';
import type { Registered, WorkflowRegistry } from './registry.js';
import { inlineErrors } from './table-errors.js';
import type { ParamOrigins } from './table-type.js';
import type { CommandContext, WorkflowContext } from './types.js';

/** A node with a workflow type whose params passed their schema. */
export interface Bound {
  readonly node: NodeSpec;
  readonly reg: Registered;
  readonly params: Record<string, unknown>;
}

/**
 * Checks every `workflow` and `params`: the type must exist, the params must pass its schema
 * (errors at the exact key), and a node gives either `command` or `workflow`.
 */
export function checkWorkflows(
  campaign: Campaign,
  registry: WorkflowRegistry,
  out: Diagnostic[],
  origins?: ParamOrigins,
): Bound[] {
  const bound: Bound[] = [];
  for (const node of campaign.nodes.values()) {
    const at = (...rest: (string | number)[]): DocPath => [...node.docPath, ...rest];
    if (node.workflow === undefined) {
      if (node.params !== undefined) {
        out.push(
          diag(
            'params-without-workflow',
            `\`params\` are the parameters of a \`workflow\`, and \`${node.id}\` has none`,
            {
              path: at('params'),
              part: 'key',
            },
          ),
        );
      }
      continue;
    }
    if (node.command !== undefined) {
      out.push(
        diag('command-and-workflow', `\`${node.id}\` has both \`command\` and \`workflow\`; give one`, {
          path: at('workflow'),
          part: 'key',
        }),
      );
      continue;
    }
    const reg = registry.get(node.workflow);
    if (!reg) {
      const near = nearest(node.workflow, registry.names());
      out.push(
        diag(
          'unknown-workflow',
          `unknown workflow type \`${node.workflow}\``,
          { path: at('workflow'), part: 'value' },
          {
            suggestion: near
              ? `did you mean \`${near}\`?`
              : `known types: ${registry.names().join(', ')}; plugins add more ([campaign] plugins)`,
          },
        ),
      );
      continue;
    }
    const params = (node.params ?? {}) as Record<string, unknown>;
    if (!reg.validate(params)) {
      const inline = origins?.get(params);
      const schema = reg.type.paramsSchema as Record<string, unknown>;
      const errors = reg.validate.errors ?? [];
      out.push(
        ...(inline ? inlineErrors(node, reg, errors, inline) : mapAjvErrors(errors, at('params'), schema)),
      );
      continue;
    }
    bound.push({ node, reg, params });
  }
  return bound;
}

/**
 * Asks each bound type for its instances and resource estimate, and prepares how its commands
 * are built. Whatever a plugin throws or returns that is not what the API promises becomes a
 * diagnostic naming the plugin.
 */
export async function prepareWorkflows(
  campaign: Campaign,
  bound: readonly Bound[],
  out: Diagnostic[],
): Promise<Map<string, NodeWorkflow>> {
  const result = new Map<string, NodeWorkflow>();
  for (const b of bound) {
    const { node, reg, params } = b;
    const ctx: WorkflowContext = {
      node: node.id,
      dir: campaign.dir,
      campaignSeed: campaign.seed,
      vars: campaign.vars,
    };
    const fail = (what: string, message: string, code: DiagnosticCode = 'workflow-failed') =>
      diag(code, `workflow \`${reg.type.name}\` (${origin(reg)}) ${what}: ${message}`, {
        path: [...node.docPath, 'workflow'],
        part: 'value',
      });
    let instances: WorkflowInstances | undefined;
    if (reg.type.expand) {
      const r = await guarded(() => reg.type.expand!(params, ctx));
      if (!r.ok) {
        out.push(fail('failed in expand()', r.message));
        continue;
      }
      const checked = checkInstances(r.value);
      if (typeof checked === 'string') {
        out.push(fail('returned garbage from expand()', checked, 'workflow-bad-result'));
        continue;
      }
      instances = checked;
    }
    let estimate: ResourceEstimate | undefined;
    if (reg.type.resources) {
      const r = await guarded(() => reg.type.resources!(params, ctx));
      if (!r.ok) {
        out.push(fail('failed in resources()', r.message));
        continue;
      }
      const checked = checkEstimate(r.value);
      if (typeof checked === 'string') {
        out.push(fail('returned garbage from resources()', checked, 'workflow-bad-result'));
        continue;
      }
      estimate = checked;
    }
    const param = reg.commandParam;
    const entry: NodeWorkflow = {
      ...(instances ? { instances } : {}),
      ...(estimate ? { estimate } : {}),
      ...(param
        ? {
            source: {
              command: params[param] as string | readonly string[],
              path: [...node.docPath, 'params', param],
            },
          }
        : {
            build: (call: CommandCall) => {
              const cctx: CommandContext = { ...ctx, ...commandContext(call), quote: shellQuote };
              let value: unknown;
              try {
                value = reg.type.command(params, cctx);
              } catch (e) {
                return {
                  ok: false,
                  diagnostic: fail(`failed in command() for \`${call.taskId}\``, firstLine(e)),
                };
              }
              const problem = commandProblem(value);
              if (problem) {
                return {
                  ok: false,
                  diagnostic: fail(
                    `returned garbage from command() for \`${call.taskId}\``,
                    problem,
                    'workflow-bad-result',
                  ),
                };
              }
              return { ok: true, command: value as string | readonly string[] };
            },
          }),
    };
    result.set(node.id, entry);
  }
  return result;
}

function origin(reg: Registered): string {
  return reg.origin === 'built-in' ? 'built-in' : `plugin \`${reg.origin}\``;
}

function commandContext(call: CommandCall): Omit<CommandContext, keyof WorkflowContext | 'quote'> {
  return {
    task: call.taskId,
    ...(call.instance !== undefined ? { instance: call.instance } : {}),
    ...(call.index !== undefined ? { index: call.index } : {}),
    ...(call.seed !== undefined ? { seed: call.seed } : {}),
    ...(call.values ? { values: call.values } : {}),
    ...(call.items ? { items: call.items } : {}),
  };
}

async function guarded<T>(
  f: () => T | Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, message: firstLine(e) };
  }
}

function commandProblem(v: unknown): string | undefined {
  const need = 'a command is a non-empty string or a non-empty array of strings';
  if (v instanceof Promise) return `a promise; command() returns the command itself, synchronously`;
  if (typeof v === 'string') {
    if (v === '') return `an empty string; ${need}`;
    return v.includes('\u0000')
      ? 'a string with a NUL character (U+0000), which no program can be given'
      : undefined;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return `an empty array; ${need}`;
    const bad = v.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) return `an array whose element ${bad} is ${describeValue(v[bad])}; ${need}`;
    const nul = v.findIndex((x) => (x as string).includes('\u0000'));
    return nul >= 0
      ? `an array whose element ${nul} holds a NUL character (U+0000), which no program can be given`
      : undefined;
  }
  return `${describeValue(v)}; ${need}`;
}

function checkInstances(v: unknown): WorkflowInstances | string {
  if (!Array.isArray(v)) return `${describeValue(v)}; expand() returns an array of { id?, values }`;
  const records: Record<string, unknown>[] = [];
  const ids: string[] = [];
  const keys = new Set<string>();
  for (const [i, x] of v.entries()) {
    const inst = x as { id?: unknown; values?: unknown } | null;
    if (inst === null || typeof inst !== 'object' || Array.isArray(inst)) {
      return `instance ${i} is ${describeValue(x)}; an instance is { id?, values }`;
    }
    const values = inst.values;
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      return `instance ${i} has values ${describeValue(values)}; \`values\` is a table`;
    }
    if (inst.id !== undefined && typeof inst.id !== 'string')
      return `instance ${i} has the id ${describeValue(inst.id)}; an id is a string`;
    if (typeof inst.id === 'string') ids.push(inst.id);
    records.push(values as Record<string, unknown>);
    for (const k of Object.keys(values)) keys.add(k);
  }
  return { records, keys: [...keys], ...(ids.length === records.length ? { ids } : {}) };
}

function checkEstimate(v: unknown): ResourceEstimate | string {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return `${describeValue(v)}; resources() returns { cores?, memory?, runtime?, gpus?, nodes? }`;
  }
  const e = v as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const k of ['cores', 'gpus', 'nodes'] as const) {
    if (e[k] === undefined) continue;
    if (typeof e[k] !== 'number' || !Number.isInteger(e[k]) || (e[k] as number) < 0) {
      return `\`${k}\` is ${describeValue(e[k])}; it is a whole number`;
    }
    out[k] = e[k] as number;
  }
  for (const [k, parse] of [
    ['memory', parseMemory],
    ['runtime', parseDuration],
  ] as const) {
    const x = e[k];
    if (x === undefined) continue;
    const n = typeof x === 'number' ? x : typeof x === 'string' ? parse(x) : undefined;
    if (n === undefined || !Number.isFinite(n) || n < 0) {
      return `\`${k}\` is ${describeValue(x)}; give ${k === 'memory' ? 'MiB or a size such as "4G"' : 'seconds or a duration such as "2h"'}`;
    }
    out[k] = n;
  }
  return out;
}
