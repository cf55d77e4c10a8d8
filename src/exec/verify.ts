import type { TaskSpec } from '../model/tasks.js';
import type { Handle } from '../schedulers/contract.js';
import { runCheck } from './check.js';
import type { Outcome } from './events.js';
import { missingOutputs } from './outputs.js';

export interface VerifyFailure {
  readonly failure: 'outputs' | 'check';
  readonly message: string;
}

/**
 * What makes a zero exit a success: the task's outputs exist and its check passes. An attempt
 * verified where it ran (inside a batch job) is not checked again. Answers at once unless a
 * check command has to run, so that a success releases its dependents in the same turn.
 */
export function verify(
  t: TaskSpec,
  handle: Handle,
  outcome: Outcome,
): VerifyFailure | undefined | Promise<VerifyFailure | undefined> {
  if (outcome.verified) return undefined;
  const missing = t.outputs.length > 0 ? missingOutputs(t.workdir, t.outputs) : [];
  if (missing.length > 0)
    return {
      failure: 'outputs',
      message: `missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    };
  if (t.check === undefined) return undefined;
  return runCheck(t.check, {
    cwd: t.workdir,
    env: { ...process.env, ...t.env },
    log: handle.files.err.replace(/\.err$/, '.check'),
  }).then((code): VerifyFailure | undefined =>
    code === 0 ? undefined : { failure: 'check', message: `check failed (exit code ${code})` },
  );
}
