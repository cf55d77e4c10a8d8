import {
  closeSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a campaign's lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  readonly runId?: string;
}

export type LockResult = { ok: true; lock: Lock } | { ok: false; holder: LockHolder };

/** A holder on another host is presumed dead when its heartbeat is older than this. */
const STALE_MS = 120_000;
const HEARTBEAT_MS = 20_000;

/**
 * One writer per campaign. The lock is a file created with O_EXCL, which is atomic on local
 * filesystems and on NFS v3+. A lock whose holder is gone (dead pid on this host, or no
 * heartbeat for two minutes from another host) is taken over by renaming it aside first, so
 * two contenders cannot both take it over.
 */
export class Lock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
  ) {}

  static acquire(path: string, runId?: string): LockResult {
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      ...(runId ? { runId } : {}),
    };
    for (let tries = 0; tries < 3; tries++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, `${JSON.stringify(holder)}\n`);
        closeSync(fd);
        const lock = new Lock(path, holder);
        lock.heartbeat();
        return { ok: true, lock };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const current = Lock.read(path);
      if (current && !Lock.isStale(path, current)) return { ok: false, holder: current };
      // Take a dead holder's lock over: only one contender's rename succeeds.
      try {
        renameSync(path, `${path}.stale-${process.pid}`);
        unlinkSync(`${path}.stale-${process.pid}`);
      } catch {
        // someone else took it over first; try again
      }
    }
    const current = Lock.read(path);
    return { ok: false, holder: current ?? { pid: 0, host: '?', since: '?' } };
  }

  /** The current holder, if the lock file exists and is readable. */
  static read(path: string): LockHolder | undefined {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    } catch {
      return undefined;
    }
  }

  static isStale(path: string, holder: LockHolder): boolean {
    if (holder.host === hostname()) return !alive(holder.pid);
    try {
      return Date.now() - statSync(path).mtimeMs > STALE_MS;
    } catch {
      return true;
    }
  }

  /** Keeps the lock's mtime fresh so that other hosts can tell a live holder from a dead one. */
  private heartbeat(): void {
    this.timer = setInterval(() => {
      try {
        const now = new Date();
        utimesSync(this.path, now, now);
      } catch {
        // the state directory went away; nothing to keep fresh
      }
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    const current = Lock.read(this.path);
    if (current && current.pid === this.holder.pid && current.host === this.holder.host) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}

/** Whether a process of this host is alive; a zombie (exited, not yet reaped) is not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, since ${h.since}${h.runId ? `, run ${h.runId}` : ''}`;
}
