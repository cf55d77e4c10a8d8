import { readFileSync } from 'node:fs';

/**
 * A process as this machine knows it beyond its pid, which the kernel reuses: when it started
 * (clock ticks after boot, field 22 of /proc/<pid>/stat, as the task launcher records it) and
 * the boot it started in. After a reboot the same pid and ticks can name another process; the
 * boot id tells them apart.
 */
export interface ProcessStart {
  readonly ticks: string;
  readonly boot: string;
}

/** Whether /proc answers here (Linux); without it only the pid is known. */
export const hasProc: boolean = (() => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

let cachedBoot: string | undefined;

/** This boot's id (`/proc/sys/kernel/random/boot_id`), else the boot time from /proc/stat. */
export function bootId(): string {
  if (cachedBoot !== undefined) return cachedBoot;
  try {
    cachedBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    cachedBoot = `btime ${bootTime() ?? '?'}`;
  }
  return cachedBoot;
}

/** Seconds since the epoch at which this machine booted (`btime` of /proc/stat). */
function bootTime(): number | undefined {
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [19] the start time. */
function statFields(pid: number): string[] | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** When a live process started; undefined if it is gone, a zombie, or /proc does not answer. */
export function processStart(pid: number): ProcessStart | undefined {
  const f = statFields(pid);
  if (!f || f[0] === 'Z' || f[19] === undefined) return undefined;
  return { ticks: f[19], boot: bootId() };
}

/** This process's own start. */
export function ownStart(): ProcessStart | undefined {
  return processStart(process.pid);
}

/**
 * When a process started, in ms since the epoch (boot time plus its start ticks, at the
 * kernel's USER_HZ of 100): precise to a second, which is enough to tell a process started
 * after some moment from one started before it.
 */
export function startedAtMs(pid: number): number | undefined {
  const f = statFields(pid);
  const boot = bootTime();
  if (!f || f[19] === undefined || boot === undefined) return undefined;
  return boot * 1000 + Number(f[19]) * 10;
}

/** The command line of a process, its arguments joined by spaces ('' if unknown). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}
