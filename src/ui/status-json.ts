import { TASK_STATES } from '../exec/events.js';
import type { TaskView } from './status.js';

/** `status --json` (docs/cli.md): the campaign, its last run, the head running it, totals and every task. */
export function statusJson(o: {
  readonly campaign: string;
  readonly run: { readonly id: string; readonly status: string } | undefined;
  readonly running: { readonly pid: number; readonly host: string; readonly since: unknown } | undefined;
  readonly tasks: readonly TaskView[];
}): string {
  const totals = Object.fromEntries(TASK_STATES.map((s) => [s, o.tasks.filter((v) => v.state === s).length]));
  return `${JSON.stringify(
    {
      campaign: o.campaign,
      run: o.run ? { id: o.run.id, status: o.run.status } : null,
      running: o.running ? { pid: o.running.pid, host: o.running.host, since: o.running.since } : null,
      totals,
      tasks: o.tasks,
    },
    null,
    2,
  )}\n`;
}
