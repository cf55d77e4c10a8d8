import { readdirSync, readFileSync } from 'node:fs';
import type { Handle } from '../contract.js';

/*
 * The launcher's pid record (`RESULT.pid`: its pid and start time), which tells a running
 * launcher from a process that reused its pid, for a head that finds attempts again.
 */

/**
 * Whether the pid is still our launcher for this attempt, not a process that reused the pid:
 * the launcher records its pid and start time beside the result; a launcher started without
 * that record (the sh one) is recognised by its command line.
 */
export function isOurs(h: Handle): boolean {
  const recorded = readPidFile(h.files.result);
  const pid = recorded?.pid ?? Number(h.jobId);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has finished; its result is already written.
    if (fields[0] === 'Z') return false;
    if (recorded) return fields[19] === recorded.start;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(h.files.result);
  } catch {
    return false;
  }
}

function readPidFile(result: string): { pid: number; start: string } | undefined {
  try {
    const [pid, start] = readFileSync(`${result}.pid`, 'utf8').trim().split(' ');
    return { pid: Number(pid), start: start ?? '' };
  } catch {
    return undefined;
  }
}

/** The pid of the launcher writing `result`, if it runs: from its pid record, else its command line. */
export function findLauncher(result: string): number | undefined {
  const recorded = readPidFile(result);
  if (recorded) {
    const h = { taskId: '', attempt: 0, jobId: String(recorded.pid), files: { out: '', err: '', result } };
    return isOurs(h) ? recorded.pid : undefined;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(result)) return Number(e);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
