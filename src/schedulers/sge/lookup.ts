import { userInfo } from 'node:os';
import { execaRunner } from '../batch/runner.js';
import type { QueueAnswer } from '../contract.js';
import { baseId } from './ids.js';
import { queryQueue } from './qstat.js';

/**
 * One qstat for jobs that no head watches. Grid Engine lists only jobs that have not ended:
 * waiting (`qw`, held `hqw`, requeued `Rq`, suspended `s`/`S`/`T`), running (`r`, `t`, `Rr`),
 * or stuck in an error (`Eqw`) or being deleted (`dr`), which it says in its own word.
 */
export async function lookUpJobs(jobIds: readonly string[]): Promise<Map<string, QueueAnswer> | undefined> {
  const q = await queryQueue(execaRunner(), userInfo().username);
  if (!q.ok) return undefined;
  const out = new Map<string, QueueAnswer>();
  for (const id of jobIds) {
    const row = q.rows.get(id) ?? q.rows.get(baseId(id));
    if (!row) continue;
    const s = row.state;
    if (s.includes('E') || s.includes('d')) out.set(id, { word: s });
    else if (/[rt]/.test(s)) out.set(id, { state: 'running' });
    else out.set(id, { state: 'queued' });
  }
  return out;
}
