import { appendFileSync, readFileSync } from 'node:fs';

/** The ledger's file name inside a run's scheduler folder (`slurm/`, `sge/`). */
export const LEDGER = 'submissions.tsv';

/** One task of a submission: its array index (the plain job's for one task), attempt and holds. */
export interface LedgerMember {
  readonly index: number;
  readonly taskId: string;
  readonly attempt: number;
  /** Job ids this task alone waits for (schedulers whose jobs check their upstreams). */
  readonly upstreams: string[];
}

/** One submission as the ledger recorded it. */
export interface LedgerEntry {
  readonly token: string;
  readonly jobName: string;
  readonly script: string;
  readonly members: LedgerMember[];
  /** Job ids every member waits for (recorded once). */
  readonly upstreams: string[];
  /** Set once the scheduler answered; missing when the head died in between. */
  jobId?: string;
  readonly array: boolean;
}

/** What a submitter records before it submits (upstreams left out where none are kept). */
export interface ScriptRecord {
  readonly token: string;
  readonly jobName: string;
  readonly script: string;
  readonly array: boolean;
  readonly members: readonly (Omit<LedgerMember, 'upstreams'> & { readonly upstreams?: readonly string[] })[];
  readonly upstreams?: readonly string[];
}

/**
 * The submission ledger, `<scheduler folder>/submissions.tsv`: each script's token, job name
 * and tasks (with the job ids each waits for, where the adapter keeps them) are appended
 * before the submission command runs, its job id right after. A head that died between the
 * two finds the job again by its name; one that died later finds the id here.
 *
 *   S <token> <job name> <array 0|1> <script>
 *   T <token> <index> <attempt> <task id>
 *   U <token> <index, or * for every task> <upstream job id>
 *   J <token> <job id>
 */
export class Ledger {
  constructor(readonly path: string) {}

  recordScript(e: ScriptRecord): void {
    const lines = [`S\t${e.token}\t${e.jobName}\t${e.array ? 1 : 0}\t${e.script}`];
    for (const u of e.upstreams ?? []) lines.push(`U\t${e.token}\t*\t${u}`);
    for (const m of e.members) {
      lines.push(`T\t${e.token}\t${m.index}\t${m.attempt}\t${m.taskId}`);
      for (const u of m.upstreams ?? []) lines.push(`U\t${e.token}\t${m.index}\t${u}`);
    }
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
    const e = entries.get(f[1] ?? '');
    if (f[0] === 'S' && f.length >= 5) {
      entries.set(f[1]!, {
        token: f[1]!,
        jobName: f[2]!,
        array: f[3] === '1',
        script: f.slice(4).join('\t'),
        members: [],
        upstreams: [],
      });
    } else if (f[0] === 'T' && f.length >= 5 && e) {
      const m = {
        index: Number(f[2]),
        attempt: Number(f[3]),
        taskId: f.slice(4).join('\t'),
        upstreams: [] as string[],
      };
      e.members.push(m);
      byAttempt.set(attemptKey(m.taskId, m.attempt), { token: f[1]!, index: m.index });
    } else if (f[0] === 'U' && f.length >= 4 && e) {
      if (f[2] === '*') {
        e.upstreams.push(f[3]!);
        continue;
      }
      // A task's U lines follow its T line.
      const last = e.members[e.members.length - 1];
      const index = Number(f[2]);
      (last?.index === index ? last : e.members.find((m) => m.index === index))?.upstreams.push(f[3]!);
    } else if (f[0] === 'J' && f.length >= 3 && e) {
      e.jobId = f[2]!;
    }
  }
  return { entries, byAttempt };
}

/** The key of one task attempt in maps of attempts. */
export const attemptKey = (taskId: string, attempt: number) => `${taskId}\u0000${attempt}`;
