import type { Resources } from '../../src/model/campaign.js';
import type { Submission } from '../../src/schedulers/contract.js';

/** An attempt's files as the engine lays them out, as plain text (golden scripts name them). */
export function files(root: string, task: string, attempt = 1): Submission['files'] {
  const base = `${root}/runs/r1/tasks/${task}/${attempt}`;
  return { out: `${base}.out`, err: `${base}.err`, result: `${base}.result` };
}

/** A submission of campaign `demo` for a generated-script test: nothing is written. */
export function scriptSubmission(
  resources: Resources,
  root: string,
  task: string,
  command: Submission['command'],
  extra: Partial<Submission> = {},
): Submission {
  return {
    taskId: task,
    attempt: 1,
    command,
    setup: [],
    env: { CAMPAIGN_NAME: 'demo', CAMPAIGN_TASK_ID: task },
    workdir: `${root}/work`,
    resources,
    options: {},
    files: files(root, task),
    jobName: `demo.${task}`,
    ...extra,
  };
}
