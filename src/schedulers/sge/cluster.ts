import { type CommandRunner, firstLine } from '../batch/runner.js';

/** What of the cluster's configuration shapes submissions, read once from `qconf -sconf`. */
export interface ClusterInfo {
  /** Tasks of one array job, and the highest task id (`max_aj_tasks`). */
  readonly maxArrayTasks: number;
  /** Whether `qacct` can answer (`reporting_params accounting=true`, Grid Engine's default). */
  readonly accounting: boolean;
}

/** What Grid Engine 8.1 uses when a site sets nothing. */
export const DEFAULT_CLUSTER: ClusterInfo = { maxArrayTasks: 75_000, accounting: true };

/** Parses the `name value` lines of `qconf -sconf` (long values continue after a `\`). */
export function parseConfig(text: string): ClusterInfo {
  const conf = new Map<string, string>();
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (m) conf.set(m[1]!, m[2]!.trim());
  }
  const tasks = Number.parseInt(conf.get('max_aj_tasks') ?? '', 10);
  const accounting = /(^|\s)accounting=(\S+)/i.exec(conf.get('reporting_params') ?? '')?.[2];
  return {
    // 0 means no limit but the task id's range.
    maxArrayTasks: Number.isFinite(tasks) ? (tasks > 0 ? tasks : 2 ** 31 - 1) : DEFAULT_CLUSTER.maxArrayTasks,
    accounting: accounting === undefined ? DEFAULT_CLUSTER.accounting : /^(true|1)$/i.test(accounting),
  };
}

/** Reads the configuration; a qmaster that does not answer gets the defaults and a reason. */
export async function readCluster(run: CommandRunner): Promise<{ info: ClusterInfo; warning?: string }> {
  const r = await run('qconf', ['-sconf']);
  if (r.exitCode !== 0) return { info: DEFAULT_CLUSTER, warning: `qconf -sconf: ${firstLine(r)}` };
  return { info: parseConfig(r.stdout) };
}
