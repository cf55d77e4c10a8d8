import { type CommandRunner, firstLine } from '../batch/runner.js';

/** The limits of the cluster that shape submissions, read once from `scontrol show config`. */
export interface ClusterLimits {
  /** Array indices must be below this (`MaxArraySize`). */
  readonly maxArraySize: number;
  /** Tasks in one array (`max_array_tasks`, else `MaxArraySize`). */
  readonly maxArrayTasks: number;
  /** Largest batch script the controller takes (`max_script_size`, 4 MiB by default). */
  readonly maxScriptBytes: number;
  /** Seconds a finished job stays visible to `squeue -t all` (`MinJobAge`). */
  readonly minJobAge: number;
  /** Whether `sacct` can answer (accounting storage is configured). */
  readonly accounting: boolean;
}

/** What Slurm 22.05 uses when a site sets nothing. */
export const DEFAULT_LIMITS: ClusterLimits = {
  maxArraySize: 1001,
  maxArrayTasks: 1001,
  maxScriptBytes: 4 * 1024 * 1024,
  minJobAge: 300,
  accounting: false,
};

/** Parses the `Key = value` lines of `scontrol show config`. */
export function parseConfig(text: string): ClusterLimits {
  const conf = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s*=\s*(.*)$/.exec(line);
    if (m) conf.set(m[1]!, m[2]!.trim());
  }
  const num = (s: string | undefined, dflt: number) => {
    const n = Number.parseInt(s ?? '', 10);
    return Number.isFinite(n) ? n : dflt;
  };
  const params = new Map<string, string>();
  for (const p of (conf.get('SchedulerParameters') ?? '').split(',')) {
    const [k, v] = p.split('=');
    if (k) params.set(k.trim(), (v ?? '').trim());
  }
  const maxArraySize = num(conf.get('MaxArraySize'), DEFAULT_LIMITS.maxArraySize);
  const storage = conf.get('AccountingStorageType') ?? 'accounting_storage/none';
  return {
    maxArraySize,
    maxArrayTasks: Math.min(maxArraySize, num(params.get('max_array_tasks'), maxArraySize)),
    maxScriptBytes: num(params.get('max_script_size'), DEFAULT_LIMITS.maxScriptBytes),
    minJobAge: num(conf.get('MinJobAge'), DEFAULT_LIMITS.minJobAge),
    accounting: storage !== '' && storage !== 'accounting_storage/none' && storage !== '(null)',
  };
}

/** Reads the limits; a cluster that does not answer gets Slurm's defaults and a reason. */
export async function readLimits(run: CommandRunner): Promise<{ limits: ClusterLimits; warning?: string }> {
  const r = await run('scontrol', ['show', 'config']);
  if (r.exitCode !== 0) return { limits: DEFAULT_LIMITS, warning: `scontrol show config: ${firstLine(r)}` };
  return { limits: parseConfig(r.stdout) };
}
