import { execaRunner } from '../batch/runner.js';
import type { QueueAnswer } from '../contract.js';
import { queryQueue } from './squeue.js';

const QUEUED = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'SUSPENDED', 'RESV_DEL_HOLD']);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'CONFIGURING', 'SIGNALING', 'STAGE_OUT', 'RESIZING']);

/** One squeue for jobs that no head watches: which wait, which run, which Slurm still lists as over. */
export async function lookUpJobs(jobIds: readonly string[]): Promise<Map<string, QueueAnswer> | undefined> {
  const q = await queryQueue(execaRunner(), jobIds);
  if (!q.ok) return undefined;
  const out = new Map<string, QueueAnswer>();
  for (const id of jobIds) {
    const row = q.rows.get(id);
    if (!row) continue;
    if (QUEUED.has(row.state)) out.set(id, { state: 'queued' });
    else if (RUNNING.has(row.state)) out.set(id, { state: 'running' });
    else out.set(id, { word: row.state });
  }
  return out;
}
