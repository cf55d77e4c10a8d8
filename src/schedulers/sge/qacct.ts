import type { CommandRunner } from '../batch/runner.js';
import { taskJobId } from './ids.js';

/** What Grid Engine's accounting recorded for one job or array task. */
export interface AccountingRecord {
  readonly jobId: string;
  /** `failed` code: 0, or why Grid Engine ended it (37: h_rt, h_cpu or h_vmem enforced; 100: after the job). */
  readonly failed: number;
  readonly failedText: string;
  readonly exitStatus: number;
  /** Peak virtual memory of the whole job, MiB. */
  readonly maxVmemMiB?: number;
  readonly wallSeconds?: number;
  /** The job's `-l` requests as Grid Engine recorded them: `h_rt`, `h_vmem`, ... */
  readonly requests: ReadonlyMap<string, string>;
  readonly host: string;
}

/**
 * Accounting records of the jobs whose names match `pattern` (the run's job name prefix and
 * `*`), with one `qacct -j` call: job id (`123` or `123.4`) → its last record (a job Grid
 * Engine ran again has one record per run). A qacct that fails finds nothing.
 */
export async function queryAccounting(
  run: CommandRunner,
  pattern: string,
): Promise<Map<string, AccountingRecord>> {
  const r = await run('qacct', ['-j', pattern]);
  if (r.exitCode !== 0) return new Map();
  return parseAccounting(r.stdout);
}

/** The records of `qacct -j` output. */
export function parseAccounting(text: string): Map<string, AccountingRecord> {
  const out = new Map<string, AccountingRecord>();
  for (const block of text.split(/^=+\s*$/m)) {
    const f = new Map<string, string>();
    for (const line of block.split('\n')) {
      const m = /^(\w+)\s+(.*)$/.exec(line.trim());
      if (m) f.set(m[1]!, m[2]!.trim());
    }
    const job = f.get('jobnumber');
    if (!job) continue;
    const task = f.get('taskid') ?? 'undefined';
    const jobId = /^\d+$/.test(task) ? taskJobId(job, Number(task)) : job;
    const failed = /^(\d+)\s*(?::\s*(.*))?$/.exec(f.get('failed') ?? '0');
    const vmem = memoryMiB(f.get('maxvmem') ?? '');
    const wall = Number.parseFloat(f.get('ru_wallclock') ?? '');
    out.set(jobId, {
      jobId,
      failed: Number(failed?.[1] ?? 0),
      failedText: failed?.[2]?.trim() ?? '',
      exitStatus: Number.parseInt(f.get('exit_status') ?? '0', 10) || 0,
      ...(vmem !== undefined ? { maxVmemMiB: vmem } : {}),
      ...(Number.isFinite(wall) ? { wallSeconds: wall } : {}),
      requests: requestsOf(f.get('category') ?? ''),
      host: f.get('hostname') ?? '',
    });
  }
  return out;
}

/** `-l h_rt=10,h_vmem=100M -pe smp 2` → h_rt → 10, h_vmem → 100M. */
function requestsOf(category: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of category.matchAll(/(?:^|\s)-l\s+(\S+)/g)) {
    for (const kv of m[1]!.split(',')) {
      const eq = kv.indexOf('=');
      if (eq > 0) out.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
  }
  return out;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  m: 1000 ** 2,
  g: 1000 ** 3,
  t: 1000 ** 4,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/**
 * A Grid Engine memory value in MiB: a request (`100M`, `2G`, `500m`: upper case binary,
 * lower case decimal) or qacct's `103.730MB` (binary).
 */
export function memoryMiB(value: string): number | undefined {
  const m = /^([\d.]+)\s*([kKmMgGtT]?)(B?)$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number.parseFloat(m[1]!);
  if (!Number.isFinite(n)) return undefined;
  // qacct prints binary units with a B (`MB`); a bare `B` is bytes.
  const unit = m[3] ? (m[2] ?? '').toUpperCase() : (m[2] ?? '');
  return (n * (UNITS[unit] ?? 1)) / 1024 ** 2;
}
