import { appendFileSync, readFileSync } from 'node:fs';

/** One submission as the ledger recorded it. */
export interface LedgerEntry {
  readonly token: string;
  readonly jobName: string;
  readonly script: string;
  /** Array index (0 for a plain job) → task id and attempt. */
  readonly members: { readonly index: number; readonly taskId: string; readonly attempt: number }[];
  /** Set once sbatch answered; missing when the head died in between. */
  jobId?: string;
  readonly array: boolean;
}

/**
 * The submission ledger, `<slurm dir>/submissions.tsv`: each script's token, job name and
 * tasks are appended before sbatch runs, its job id right after. A head that died between
 * the two finds the job again by its name; one that died later finds the id here.
 *
 *   S <token> <job name> <array 0|1> <script>
 *   T <token> <index> <attempt> <task id>
 *   J <token> <job id>
 */
export class Ledger {
  constructor(readonly path: string) {}

  recordScript(e: LedgerEntry): void {
    const lines = [`S\t${e.token}\t${e.jobName}\t${e.array ? 1 : 0}\t${e.script}`];
    for (const m of e.members) lines.push(`T\t${e.token}\t${m.index}\t${m.attempt}\t${m.taskId}`);
    appendFileSync(this.path, `${lines.join('\n')}\n`);
  }

  recordJob(token: string, jobId: string): void {
    appendFileSync(this.path, `J\t${token}\t${jobId}\n`);
  }
}

/** A ledger read back: entries by token, and the latest submission of each task attempt. */
export function readLedger(path: string): {
  entries: Map<string, LedgerEntry>;
  byAttempt: Map<string, { token: string; index: number }>;
} {
  const entries = new Map<string, LedgerEntry>();
  const byAttempt = new Map<string, { token: string; index: number }>();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { entries, byAttempt };
  }
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'S' && f.length >= 5) {
      entries.set(f[1]!, {
        token: f[1]!,
        jobName: f[2]!,
        array: f[3] === '1',
        script: f.slice(4).join('\t'),
        members: [],
      });
    } else if (f[0] === 'T' && f.length >= 5) {
      const e = entries.get(f[1]!);
      const m = { index: Number(f[2]), attempt: Number(f[3]), taskId: f.slice(4).join('\t') };
      e?.members.push(m);
      byAttempt.set(attemptKey(m.taskId, m.attempt), { token: f[1]!, index: m.index });
    } else if (f[0] === 'J' && f.length >= 3) {
      const e = entries.get(f[1]!);
      if (e) e.jobId = f[2]!;
    }
  }
  return { entries, byAttempt };
}

export const attemptKey = (taskId: string, attempt: number) => `${taskId}\u0000${attempt}`;
