import { Ajv, type ValidateFunction } from 'ajv';
import { commandType } from './builtin/command.js';
import { mlMapmakingType } from './builtin/so/mapmaking.js';
import { missionTestsType, waferTestsType } from './builtin/so/null-tests.js';
import { splitType } from './builtin/split.js';
import type { WorkflowType } from './types.js';

/** A workflow type as the registry holds it: with its compiled params schema and its origin. */
export interface Registered {
  readonly type: WorkflowType;
  /** `built-in`, or the plugin as written in `[campaign] plugins`. */
  readonly origin: string;
  readonly validate: ValidateFunction;
  /**
   * Built-in types whose command is a template param (`command`): the command is checked and
   * rendered like a node's own `command`, values shell-quoted.
   */
  readonly commandParam?: string;
}

export const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** The workflow types a campaign can use: the built-ins, then those its plugins add. */
export class WorkflowRegistry {
  private readonly types = new Map<string, Registered>();
  private readonly ajv = new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });

  /** A registry with the built-in types. */
  static withBuiltins(): WorkflowRegistry {
    const r = new WorkflowRegistry();
    r.add(commandType as WorkflowType, 'built-in', 'command');
    r.add(splitType as unknown as WorkflowType, 'built-in', 'command');
    // The SO campaign manager's workflows, so that its files run as they are.
    for (const t of [mlMapmakingType, missionTestsType, waferTestsType])
      r.add(t as unknown as WorkflowType, 'built-in');
    return r;
  }

  /** Adds a type; returns why it cannot be added (a clash, a schema ajv rejects). */
  add(type: WorkflowType, origin: string, commandParam?: string): string | undefined {
    const prior = this.types.get(type.name);
    if (prior) {
      return `workflow type \`${type.name}\` is already defined ${prior.origin === 'built-in' ? 'as a built-in' : `by plugin \`${prior.origin}\``}`;
    }
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(type.paramsSchema as object);
    } catch (e) {
      return `the paramsSchema of workflow type \`${type.name}\` is not a valid JSON Schema: ${(e as Error).message}`;
    }
    this.types.set(type.name, { type, origin, validate, ...(commandParam ? { commandParam } : {}) });
    return undefined;
  }

  get(name: string): Registered | undefined {
    return this.types.get(name);
  }

  names(): string[] {
    return [...this.types.keys()];
  }
}
