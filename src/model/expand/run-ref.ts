import { isAbsolute, join } from 'node:path';
import type { TaskSpec } from '../tasks.js';

/**
 * `{run}`: the id of the run an attempt belongs to (`20261201_093000_run004`). It is bound when
 * the attempt is prepared, never at load time, so a task's id and definition hash keep it as
 * written and a new run id never makes finished work look changed.
 */
export const RUN_REF = '{run}';

/** True when a text names the run. */
export const namesRun = (text: string): boolean => text.includes(RUN_REF);

/** The text with `{run}` bound to one run. */
export const bindRun = (text: string, runId: string): string => text.replaceAll(RUN_REF, runId);

/** A command with `{run}` bound; run ids are word characters, so no quoting is needed. */
export function bindRunCommand(c: string | readonly string[], runId: string): string | string[] {
  return typeof c === 'string' ? bindRun(c, runId) : c.map((a) => bindRun(a, runId));
}

/**
 * Outputs as a pattern that any run's files match (`{run}` becomes `*`): what up-to-dateness
 * and `skip_complete` check, since a task that succeeded in an earlier run keeps that run's
 * files. With `{run}` in the workdir the outputs become absolute patterns.
 */
export function anyRunOutputs(workdir: string, outputs: readonly string[]): string[] {
  const inDir = namesRun(workdir);
  return outputs.map((o) =>
    namesRun(o) || inDir ? (isAbsolute(o) || !inDir ? o : join(workdir, o)).replaceAll(RUN_REF, '*') : o,
  );
}

/** A task whose outputs name `{run}`: `outputs` are the any-run patterns, these the declared form. */
export interface RunNamedOutputs {
  readonly runOutputs: readonly string[];
}

/** The task's outputs as declared, `{run}` still in them (bind them with `bindRun`). */
export function declaredOutputs(t: TaskSpec): readonly string[] {
  const named = (t as Partial<RunNamedOutputs>).runOutputs;
  return named ?? t.outputs;
}

/**
 * A plain node's task with the any-run outputs, when its outputs or workdir name `{run}`;
 * the task as it is otherwise.
 */
export function runAware(t: TaskSpec): TaskSpec {
  if (!namesRun(t.workdir) && !t.outputs.some(namesRun)) return t;
  const named: TaskSpec & RunNamedOutputs = {
    ...t,
    outputs: anyRunOutputs(t.workdir, t.outputs),
    runOutputs: t.outputs,
  };
  return named;
}
