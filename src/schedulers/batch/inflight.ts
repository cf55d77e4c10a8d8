import { readdirSync, readFileSync } from 'node:fs';

/**
 * Waits until no process on this machine has one of `scripts` among its arguments: the
 * submissions (`sbatch`, `qsub`) a killed head left under way. Such a call goes on without its
 * head and may still submit its job, so a new head must not decide the job never reached the
 * scheduler (and submit it again) before it has finished. Resolves with the scripts still in
 * flight when `timeoutMs` ran out (none, normally). Heads on other machines cannot be seen
 * from here.
 */
export async function waitForSubmissions(
  scripts: readonly string[],
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<string[]> {
  const until = Date.now() + (opts.timeoutMs ?? 130_000);
  let left = inFlight(scripts);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
    left = inFlight(left);
  }
  return left;
}

/** The scripts that some live process has as an argument. */
export function inFlight(scripts: readonly string[]): string[] {
  if (scripts.length === 0) return [];
  const wanted = new Set(scripts);
  const found = new Set<string>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const pid of pids) {
    let args: string[];
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // A zombie has finished; its parent (the dead head) will never reap it.
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    for (const a of args) if (wanted.has(a)) found.add(a);
  }
  return scripts.filter((s) => found.has(s));
}
