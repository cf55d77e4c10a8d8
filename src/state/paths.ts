import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The layout of a campaign's state directory (`.campaign/` beside the campaign file):
 *
 *   lock                        who is running the campaign (pid, host, since)
 *   state.json                  snapshot of every task's last recorded outcome
 *   runs/<run id>/journal.jsonl append-only record of the run's events
 *   runs/<run id>/log.jsonl     the run's pino log
 *   runs/<run id>/tasks/<task>.<attempt>.{out,err,result,check}
 *   runs/<run id>/tasks/<task>.items.json   the items of a task that bundles fan-out items
 */
export class StatePaths {
  constructor(readonly root: string) {}

  /** The state directory of a campaign file: `--state-dir`, the file's `state_dir`, or `.campaign`. */
  static forCampaign(file: string, override?: string, fromFile?: string): StatePaths {
    const dir = dirname(resolve(file));
    const chosen = override ?? fromFile;
    if (chosen)
      return new StatePaths(isAbsolute(chosen) ? chosen : resolve(override ? process.cwd() : dir, chosen));
    return new StatePaths(join(dir, '.campaign'));
  }

  get lock(): string {
    return join(this.root, 'lock');
  }
  get snapshot(): string {
    return join(this.root, 'state.json');
  }
  get runsDir(): string {
    return join(this.root, 'runs');
  }
  run(runId: string): string {
    return join(this.runsDir, runId);
  }
  journal(runId: string): string {
    return join(this.run(runId), 'journal.jsonl');
  }
  log(runId: string): string {
    return join(this.run(runId), 'log.jsonl');
  }
  /** Folder of the run's task files (one flat folder: no directory to create per task). */
  tasksDir(runId: string): string {
    return join(this.run(runId), 'tasks');
  }
  /** Files of one attempt; task ids are filesystem-safe by construction. */
  attempt(runId: string, taskId: string, attempt: number): { out: string; err: string; result: string } {
    const base = join(this.tasksDir(runId), `${taskId}.${attempt}`);
    return { out: `${base}.out`, err: `${base}.err`, result: `${base}.result` };
  }
  items(runId: string, taskId: string): string {
    return join(this.tasksDir(runId), `${taskId}.items.json`);
  }
}
