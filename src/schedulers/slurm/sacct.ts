import type { CommandRunner } from '../batch/runner.js';
import type { QueueRow } from './squeue.js';
import { stateWord } from './squeue.js';

/**
 * Jobs Slurm's controller has forgotten, from accounting (one sacct call for all of them).
 * Sites without accounting never call it; a failed call finds nothing.
 */
export async function queryAccounting(
  run: CommandRunner,
  jobIds: readonly string[],
): Promise<Map<string, QueueRow>> {
  const rows = new Map<string, QueueRow>();
  if (jobIds.length === 0) return rows;
  const r = await run('sacct', [
    '-n',
    '-P',
    '-X',
    '-j',
    jobIds.join(','),
    '-o',
    'JobID,State,Reason,ExitCode,NodeList',
  ]);
  if (r.exitCode !== 0) return rows;
  for (const line of r.stdout.split('\n')) {
    const [id, state, reason, exit, host] = line.trim().split('|');
    if (!id || !state) continue;
    const [code, signal] = (exit ?? '0:0').split(':').map((n) => Number.parseInt(n, 10) || 0);
    rows.set(id, {
      jobId: id,
      state: stateWord(state),
      reason: reason ?? '',
      exit: { code: code ?? 0, signal: signal ?? 0 },
      host: host ?? '',
    });
  }
  return rows;
}
