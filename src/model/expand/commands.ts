import type { Diagnostic } from '../../config/diagnostic.js';
import type { ResourceEstimate } from '../tasks.js';
import type { CommandSource } from './compile.js';
import type { WorkflowInstances } from './scope.js';
import type { NodePlan } from './task.js';

/** What a node's workflow type contributes, worked out before expansion. */
export interface NodeWorkflow {
  /** Instances the type's `expand` made. */
  readonly instances?: WorkflowInstances;
  readonly estimate?: ResourceEstimate;
  /** Builds the command of one task; undefined for the `command` type, whose command is a template. */
  readonly build?: (
    call: CommandCall,
  ) => { ok: true; command: string | readonly string[] } | { ok: false; diagnostic: Diagnostic };
  /** The command template, for the `command` type. */
  readonly source?: CommandSource;
}

/** The task a workflow type is asked to build a command for. */
export interface CommandCall {
  readonly taskId: string;
  readonly instance?: string;
  readonly index?: number;
  readonly seed?: number;
  readonly values?: Readonly<Record<string, unknown>>;
  readonly items?: readonly unknown[];
}

/** A workflow type builds each task's command now, so that its errors show before anything runs. */
export function workflowCommands(
  plan: NodePlan,
  wf: NodeWorkflow,
  count: number,
  diagnostics: Diagnostic[],
): (string | readonly string[])[] | undefined {
  const commands: (string | readonly string[])[] = [];
  for (let k = 0; k < count; k++) {
    let call: CommandCall;
    if (plan.spread) {
      const items = [];
      for (let p = plan.spread.start(k); p < plan.spread.end(k); p++) items.push(plan.item(plan.kept[p]!));
      const ctx = plan.chunkContext(k);
      call = { taskId: `${plan.node.id}[${ctx.id}]`, instance: ctx.id, index: k, seed: ctx.seed(), items };
    } else {
      const item = plan.item(plan.kept[k]!);
      call = {
        taskId: `${plan.node.id}[${item.instance}]`,
        instance: item.instance,
        index: item.index,
        seed: item.seed,
        values: item.values,
      };
    }
    const command = built(wf, call, diagnostics);
    if (command === undefined) return undefined;
    commands.push(command);
  }
  return commands;
}

/** The command a workflow type built for one task, or undefined after a diagnostic. */
export function built(
  wf: NodeWorkflow,
  call: CommandCall,
  diagnostics: Diagnostic[],
): string | readonly string[] | undefined {
  const r = wf.build!(call);
  if (r.ok) return r.command;
  diagnostics.push(r.diagnostic);
  return undefined;
}
