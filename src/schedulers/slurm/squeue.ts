import { type CommandRunner, firstLine } from '../batch/runner.js';
import { baseId, expandJobId } from './array-spec.js';

/** One job or array task as squeue reports it. */
export interface QueueRow {
  /** `123` or `123_4`, as handles carry it. */
  readonly jobId: string;
  readonly state: string;
  readonly reason: string;
  /** Exit code and signal of a finished job (squeue prints the wait status). */
  readonly exit: { readonly code: number; readonly signal: number };
  readonly host: string;
}

const FIELDS = 'JobArrayID:|,State:|,Reason:|,exit_code:|,NodeList:|';
/** Longest `--jobs` list; beyond it the query lists all of the user's jobs and filters. */
const MAX_IDS_CHARS = 64 * 1024;

/**
 * One squeue call for every job of the run, finished ones included (`-t all` keeps them for
 * MinJobAge), array tasks one per row (`-r`).
 */
export async function queryQueue(
  run: CommandRunner,
  jobIds: readonly string[],
): Promise<{ ok: true; rows: Map<string, QueueRow> } | { ok: false; message: string }> {
  const ids = [...new Set(jobIds.map(baseId))];
  const rows = new Map<string, QueueRow>();
  if (ids.length === 0) return { ok: true, rows };
  const list = ids.join(',');
  const select = list.length <= MAX_IDS_CHARS ? ['--jobs', list] : ['--me'];
  const r = await run('squeue', ['-h', '-r', '-t', 'all', ...select, '-O', FIELDS]);
  if (r.exitCode !== 0) {
    // A single id that Slurm has forgotten is an error rather than an empty list.
    if (/Invalid job id/i.test(r.stderr)) return { ok: true, rows };
    return { ok: false, message: `squeue: ${firstLine(r)}` };
  }
  for (const row of parseQueue(r.stdout)) rows.set(row.jobId, row);
  return { ok: true, rows };
}

/** Rows of `squeue -O` output with the fields above. */
export function parseQueue(text: string): QueueRow[] {
  const out: QueueRow[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split('|');
    if (f.length < 5 || !f[0]) continue;
    const status = Number.parseInt(f[3] ?? '0', 10) || 0;
    const exit = { code: (status >> 8) & 0xff, signal: status & 0x7f };
    for (const jobId of expandJobId(f[0])) {
      out.push({ jobId, state: stateWord(f[1]!), reason: f[2] ?? '', exit, host: f[4] ?? '' });
    }
  }
  return out;
}

/** `CANCELLED by 0` → `CANCELLED`; `COMPLETING+` and such keep their word only. */
export const stateWord = (s: string) => (/^[A-Z_]+/.exec(s.trim())?.[0] ?? s.trim()).toUpperCase();

/** Finds jobs by name (a crashed head's submissions): job name → array or plain job ids. */
export async function findByName(
  run: CommandRunner,
  names: readonly string[],
): Promise<{ ok: true; ids: Map<string, string> } | { ok: false; message: string }> {
  const ids = new Map<string, string>();
  if (names.length === 0) return { ok: true, ids };
  const r = await run('squeue', ['-h', '-t', 'all', '--name', names.join(','), '-O', 'ArrayJobID:|,Name:|']);
  if (r.exitCode !== 0) return { ok: false, message: `squeue: ${firstLine(r)}` };
  for (const line of r.stdout.split('\n')) {
    const [id, name] = line.trim().split('|');
    if (id && name) ids.set(name, id);
  }
  return { ok: true, ids };
}
