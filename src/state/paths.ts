import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * The layout of a campaign's state directory (`.campaign/<file stem>/` beside the campaign
 * file, one per campaign file, so that campaign files of one folder never share state):
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

  /**
   * The state directory of a campaign file: exactly `--state-dir` or the file's `state_dir`
   * when given, else `.campaign/<stem>` beside it (see `stateName`). Layouts of older versions
   * are found by `resolveState` (layout.ts).
   */
  static forCampaign(file: string, override?: string, fromFile?: string): StatePaths {
    const dir = dirname(resolve(file));
    const chosen = override ?? fromFile;
    if (chosen)
      return new StatePaths(isAbsolute(chosen) ? chosen : resolve(override ? process.cwd() : dir, chosen));
    return new StatePaths(join(dir, CAMPAIGN_DIR, stateName(file)));
  }

  /** Which campaign file this state belongs to: its path relative to the state directory. */
  identity(file: string): string {
    return relative(this.root, resolve(file));
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

/** The folder beside campaign files that holds their state directories. */
export const CAMPAIGN_DIR = '.campaign';

/** Names that the layout of older versions used directly inside `.campaign/`. */
const LEGACY_NAMES = new Set(['runs', 'lock', 'state.json']);

/**
 * The name of a campaign file's state directory inside `.campaign/`: the file name without its
 * extension (`campaign.toml` → `campaign`), or the whole name where the stem would be empty,
 * hidden or one of the names of the old layout (`runs.toml` → `runs.toml`).
 */
export function stateName(file: string): string {
  const name = basename(file);
  const stem = name.slice(0, name.length - extname(name).length);
  return stem === '' || stem.startsWith('.') || LEGACY_NAMES.has(stem) ? name : stem;
}
