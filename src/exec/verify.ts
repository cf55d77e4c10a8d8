import { bindRun, bindRunCommand, declaredOutputs } from '../model/expand/run-ref.js';
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
 * What makes a zero exit a success: the task's outputs exist and its check passes, with
 * `{run}` bound to the run the attempt belongs to (`runId`), as its submission had it. An
 * attempt verified where it ran (inside a batch job) is not checked again. Answers at once
 * unless a check command has to run, so that a success releases its dependents in the same turn.
 */
export function verify(
  t: TaskSpec,
  handle: Handle,
  outcome: Outcome,
  runId: string,
): VerifyFailure | undefined | Promise<VerifyFailure | undefined> {
  if (outcome.verified) return undefined;
  const bind = (text: string) => bindRun(text, runId);
  const workdir = bind(t.workdir);
  const outputs = declaredOutputs(t).map(bind);
  const missing = outputs.length > 0 ? missingOutputs(workdir, outputs) : [];
  if (missing.length > 0)
    return {
      failure: 'outputs',
      message: `missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    };
  if (t.check === undefined) return undefined;
  const env: Record<string, string> = { CAMPAIGN_RUN_ID: runId, CAMPAIGN_TASK_ID: t.id };
  for (const [k, v] of Object.entries(t.env)) env[k] = bind(v);
  return runCheck(bindRunCommand(t.check, runId), {
    cwd: workdir,
    env: { ...process.env, ...env },
    log: handle.files.err.replace(/\.err$/, '.check'),
  }).then((code): VerifyFailure | undefined =>
    code === 0 ? undefined : { failure: 'check', message: `check failed (exit code ${code})` },
  );
}
