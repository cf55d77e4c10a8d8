/**
 * The plugin API: what a workflow type is, and what it is given. A plugin is an ES module whose
 * default export is a {@link Plugin}. Its functions are called at load time. See docs/plugins.md.
 */

/** A JSON Schema (draft-07) object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A plugin module's default export. */
export interface Plugin {
  /** The plugin's name, for messages (default: the module's file name). */
  readonly name?: string;
  readonly workflows: readonly WorkflowType[];
}

/**
 * A workflow type: a node with `workflow = "<name>"` gives `params`, checked against
 * `paramsSchema`; the type builds each task's command from them. Optionally it expands one node
 * into many instances, and estimates what a task needs.
 */
export interface WorkflowType<P = Record<string, unknown>> {
  /** Letters, digits, `_`, `-` and `.`, starting with a letter. */
  readonly name: string;
  readonly description: string;
  /** The schema of `params`; violations are reported at the offending key, like any schema error. */
  readonly paramsSchema: JsonSchema;
  /**
   * The command of one task: a string for `sh -c`, or an argv array run as is. Synchronous; called
   * once per task, at load time. Quote values put into a string with `ctx.quote`.
   */
  command(params: P, ctx: CommandContext): string | readonly string[];
  /**
   * The instances one node expands into (the SO null tests: one per split). Each instance's
   * `values` are available as placeholders and in the item manifest. May return a promise.
   */
  expand?(
    params: P,
    ctx: WorkflowContext,
  ): readonly WorkflowInstance[] | Promise<readonly WorkflowInstance[]>;
  /** An estimate of what one task needs, for the resource planner. May return a promise. */
  resources?(params: P, ctx: WorkflowContext): EstimateInput | Promise<EstimateInput>;
}

/** What every call is told about the node. */
export interface WorkflowContext {
  /** The node's id: `ml-null-tests.mission-tests`. */
  readonly node: string;
  /** The campaign file's folder: resolve relative paths in params against it. */
  readonly dir: string;
  /** `[campaign] seed`. */
  readonly campaignSeed: number;
  /** `[campaign.vars]`, after substitution. */
  readonly vars: Readonly<Record<string, unknown>>;
}

/** What `command` is told about the task it builds. */
export interface CommandContext extends WorkflowContext {
  /** The task id: `node`, `node[instance]` or `node[chunk-0003]`. */
  readonly task: string;
  /** The instance id, or the chunk id; undefined for a node without fan-out. */
  readonly instance?: string;
  /** The instance's position among the node's instances, or the chunk's among its tasks. */
  readonly index?: number;
  /** The instance's (or chunk's) seed. */
  readonly seed?: number;
  /** The values of the task's instance (for a task of one instance). */
  readonly values?: Readonly<Record<string, unknown>>;
  /** The items of a task of `chunk` items: `{ instance, index, seed, values }` each. */
  readonly items?: readonly unknown[];
  /** Quotes a word for a shell string, so that it is never evaluated. */
  quote(word: string): string;
}

/** One instance a type's `expand` makes. */
export interface WorkflowInstance {
  /** Its id (checked like every instance id); the position is used when any is missing. */
  readonly id?: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A resource estimate as a type may give it: memory as MiB or "4G", runtime as seconds or "2h". */
export interface EstimateInput {
  readonly cores?: number;
  readonly memory?: number | string;
  readonly runtime?: number | string;
  readonly gpus?: number;
  readonly nodes?: number;
}
