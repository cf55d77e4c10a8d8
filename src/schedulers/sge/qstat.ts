import { type CommandRunner, firstLine } from '../batch/runner.js';
import { expandTasks, taskJobId } from './ids.js';

/** One job or array task as qstat lists it. */
export interface QueueRow {
  /** `123` or `123.4`, as handles carry it. */
  readonly jobId: string;
  /** Grid Engine's state letters: `qw`, `hqw`, `r`, `Eqw`, `dr`, `Rr`, ... */
  readonly state: string;
  readonly name: string;
  /** The execution host, once it runs. */
  readonly host: string;
}

/**
 * One `qstat -xml -u <user>` for every job of the user: pending array tasks come as ranges
 * (`1-10000:1`), running ones one per entry. An empty list right after a submission is
 * normal (the qmaster has not spooled it yet); jobs that ended are no longer listed.
 */
export async function queryQueue(
  run: CommandRunner,
  user: string,
): Promise<{ ok: true; rows: Map<string, QueueRow> } | { ok: false; message: string }> {
  const r = await run('qstat', ['-xml', '-u', user]);
  if (r.exitCode !== 0) return { ok: false, message: `qstat: ${firstLine(r)}` };
  if (!/<job_info/.test(r.stdout)) return { ok: false, message: `qstat: unexpected answer: ${firstLine(r)}` };
  const rows = new Map<string, QueueRow>();
  for (const row of parseQstatXml(r.stdout)) rows.set(row.jobId, row);
  return { ok: true, rows };
}

/** The rows of `qstat -xml` (pending ranges expanded to one row per task). */
export function parseQstatXml(text: string): QueueRow[] {
  const out: QueueRow[] = [];
  for (const m of text.matchAll(/<job_list\b[^>]*>([\s\S]*?)<\/job_list>/g)) {
    const f = new Map<string, string>();
    for (const t of m[1]!.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) f.set(t[1]!, decode(t[2]!.trim()));
    const job = f.get('JB_job_number');
    if (!job) continue;
    const state = f.get('state') ?? '';
    const name = f.get('JB_name') ?? '';
    const queue = f.get('queue_name') ?? '';
    const host = queue.includes('@') ? queue.slice(queue.indexOf('@') + 1) : '';
    const tasks = f.get('tasks');
    if (tasks === undefined) {
      out.push({ jobId: job, state, name, host });
      continue;
    }
    for (const i of expandTasks(tasks)) out.push({ jobId: taskJobId(job, i), state, name, host });
  }
  return out;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_, e: string) =>
    e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );

/** Finds jobs by name in the same listing (a crashed head's submissions): name → job id. */
export async function findByName(
  run: CommandRunner,
  user: string,
  names: readonly string[],
): Promise<{ ok: true; ids: Map<string, string> } | { ok: false; message: string }> {
  const ids = new Map<string, string>();
  if (names.length === 0) return { ok: true, ids };
  const q = await queryQueue(run, user);
  if (!q.ok) return q;
  const wanted = new Set(names);
  for (const row of q.rows.values()) {
    if (wanted.has(row.name)) ids.set(row.name, row.jobId.split('.')[0]!);
  }
  return { ok: true, ids };
}

/**
 * Why jobs are in Grid Engine's error state, with one `qstat -j` for all of them: job id (and
 * `job.task` for each task) → the error reason, e.g. "can't chdir to /x: No such file".
 */
export async function errorReasons(
  run: CommandRunner,
  jobIds: readonly string[],
): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  const jobs = [...new Set(jobIds.map((id) => id.split('.')[0]!))];
  if (jobs.length === 0) return reasons;
  const r = await run('qstat', ['-j', jobs.join(',')]);
  let job = '';
  for (const line of r.stdout.split('\n')) {
    const n = /^job_number:\s+(\d+)/.exec(line);
    if (n) job = n[1]!;
    const e = /^error reason\s+(\d+):\s+(.*)$/.exec(line);
    if (!e || !job) continue;
    // `12/01/2026 20:06:43 [0:473]: error: can't chdir ...`: the reason after the stamp.
    const reason = e[2]!.replace(/^[\d/]+\s+[\d:]+\s+\[[^\]]*\]:\s*/, '').trim();
    reasons.set(taskJobId(job, Number(e[1])), reason);
    if (!reasons.has(job)) reasons.set(job, reason);
  }
  return reasons;
}
