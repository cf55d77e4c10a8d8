import { Action, type RunPlan } from '../exec/select.js';

/** What `run --dry-run` shows: the tasks that would run, each with why, and how many are up to date. */
export function formatDryRun(ids: readonly string[], plan: Pick<RunPlan, 'action' | 'reason'>): string {
  const { run, done } = wouldRun(ids, plan);
  const width = Math.max(0, ...run.map((r) => r.id.length));
  const total = run.length + done;
  const head = `would run ${run.length} of ${total} selected task${total === 1 ? '' : 's'} (${done} up to date)`;
  const rows = run.map((r) => `  ${r.id.padEnd(width)}  ${r.reason}\n`);
  return `${head}${run.length > 0 ? ':' : ''}\n${rows.join('')}`;
}

/** The dry run as JSON: `{ "run": [{ "id", "reason" }], "selected", "up_to_date" }`. */
export function dryRunJson(ids: readonly string[], plan: Pick<RunPlan, 'action' | 'reason'>): string {
  const { run, done } = wouldRun(ids, plan);
  return `${JSON.stringify({ run, selected: run.length + done, up_to_date: done }, null, 2)}\n`;
}

function wouldRun(
  ids: readonly string[],
  plan: Pick<RunPlan, 'action' | 'reason'>,
): { run: { id: string; reason: string }[]; done: number } {
  const run: { id: string; reason: string }[] = [];
  let done = 0;
  for (let v = 0; v < ids.length; v++) {
    if (plan.action[v] === Action.Run) run.push({ id: ids[v]!, reason: plan.reason[v] ?? '' });
    else if (plan.action[v] === Action.Done) done++;
  }
  return { run, done };
}
