import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { commandLine, hasProc, ownStart, processStart, startedAtMs } from './process.js';

/** Who holds a campaign's lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  readonly runId?: string;
  /** The holder's start (clock ticks after boot) and boot id: a reused pid is not the holder. */
  readonly start?: string;
  readonly boot?: string;
  /** Unique per acquisition: tells this lock from any later one, even of the same process. */
  readonly token?: string;
}

export type LockResult = { ok: true; lock: Lock } | { ok: false; holder: LockHolder };

/** A holder on another host is presumed dead when its heartbeat is older than this. */
const STALE_MS = 120_000;
/**
 * How often the holder refreshes the lock and checks that it is still its own: a head whose
 * lock was removed or taken over learns it within this (one small read and one utimes).
 */
export const HEARTBEAT_MS = 2_000;
/** A lock file that is still empty this long after its creation was left by a crash. */
const EMPTY_STALE_MS = 10_000;

/** What was read of a lock file: its holder (if it parses), its text and its inode. */
interface Seen {
  readonly holder: LockHolder | undefined;
  readonly text: string;
  readonly ino: number;
  readonly mtimeMs: number;
}

/**
 * One writer per campaign. The lock is a file created with O_EXCL, which is atomic on local
 * filesystems and on NFS v3+. A lock whose holder is gone (on this host: its pid is gone or is
 * another process, by start time and boot; from another host: no heartbeat for two minutes)
 * is taken over by renaming it aside first, so two contenders cannot both take it over, and
 * checking that the file moved aside is the one judged stale.
 */
export class Lock {
  private timer: NodeJS.Timeout | undefined;
  private lostReason: string | undefined;
  private lastCheck = 0;

  private constructor(
    readonly path: string,
    public holder: LockHolder,
  ) {}

  /**
   * Names the run that holds the lock, once its id is known for sure (it is chosen under the
   * lock, so that two heads can never pick the same run number). Replaced atomically; a
   * directory that cannot take the new file keeps the old one.
   */
  retag(runId: string): void {
    if (this.holder.runId === runId) return;
    const holder = { ...this.holder, runId };
    const tmp = `${this.path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, `${JSON.stringify(holder)}\n`);
      renameSync(tmp, this.path);
      this.holder = holder;
    } catch {
      // The old name stays (it is only shown in messages); the token is what counts.
      try {
        unlinkSync(tmp);
      } catch {
        // never written
      }
    }
  }

  static acquire(path: string, runId?: string): LockResult {
    const start = ownStart();
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
      ...(runId ? { runId } : {}),
      ...(start ? { start: start.ticks, boot: start.boot } : {}),
      token: randomBytes(8).toString('hex'),
    };
    for (let tries = 0; tries < 5; tries++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${JSON.stringify(holder)}\n`);
        } finally {
          closeSync(fd);
        }
        return { ok: true, lock: new Lock(path, holder) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = inspect(path);
      if (!seen) continue; // gone meanwhile: try to create it again
      if (seen.holder ? !Lock.isStale(path, seen.holder) : Date.now() - seen.mtimeMs < EMPTY_STALE_MS)
        return { ok: false, holder: seen.holder ?? unknownHolder };
      takeOver(path, seen);
    }
    return { ok: false, holder: Lock.read(path) ?? unknownHolder };
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
    if (holder.host === hostname()) return !holderAlive(holder);
    try {
      return Date.now() - statSync(path).mtimeMs > STALE_MS;
    } catch {
      return true;
    }
  }

  /**
   * Keeps the lock's mtime fresh (so that other hosts can tell a live holder from a dead one)
   * and checks at each beat that the lock is still this one; `onLost` is told once if not.
   */
  watch(onLost: (reason: string) => void): void {
    this.timer = setInterval(() => {
      const reason = this.check();
      if (reason) {
        if (this.timer) clearInterval(this.timer);
        onLost(reason);
        return;
      }
      try {
        const now = new Date();
        utimesSync(this.path, now, now);
      } catch {
        // checked again at the next beat
      }
    }, HEARTBEAT_MS);
    this.timer.unref();
  }

  /**
   * Why the lock is no longer this head's, or undefined while it is. Reads the lock file at
   * most once per `maxAgeMs` (the answer in between is the last one); a loss is final.
   */
  check(maxAgeMs = 0): string | undefined {
    if (this.lostReason) return this.lostReason;
    const now = Date.now();
    if (maxAgeMs > 0 && now - this.lastCheck < maxAgeMs) return undefined;
    this.lastCheck = now;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.lostReason = `the lock ${this.path} was removed`;
        return this.lostReason;
      }
      return undefined; // a transient read error (NFS): judged at the next check
    }
    let current: LockHolder | undefined;
    try {
      current = JSON.parse(text) as LockHolder;
    } catch {
      current = undefined;
    }
    if (current && current.token === this.holder.token) return undefined;
    this.lostReason = current
      ? `the lock ${this.path} was taken over by ${describeHolder(current)}`
      : `the lock ${this.path} was replaced`;
    return this.lostReason;
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    const current = Lock.read(this.path);
    if (current && current.token === this.holder.token) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
  }
}

const unknownHolder: LockHolder = { pid: 0, host: '?', since: '?' };

function inspect(path: string): Seen | undefined {
  try {
    const st = statSync(path);
    const text = readFileSync(path, 'utf8');
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(text) as LockHolder;
    } catch {
      holder = undefined;
    }
    return { holder, text, ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Moves a dead holder's lock aside. Only one contender's rename succeeds; and since another
 * contender may have taken the stale lock over and created a fresh one between our judgement
 * and our rename, the file moved aside is compared with the one judged: if it is another, it
 * is put back (with link, which never replaces a lock created meanwhile).
 */
function takeOver(path: string, seen: Seen): void {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else moved it first; try again
  }
  const moved = inspect(aside);
  if (!moved || moved.ino !== seen.ino || moved.text !== seen.text) {
    try {
      linkSync(aside, path);
    } catch {
      // a newer lock exists already; the holder of the one moved aside sees its loss
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone already
  }
}

/**
 * Whether the holder of a lock taken on this host still runs: its pid is alive and, when the
 * lock records it, has the same start time in the same boot. A lock of an older version
 * (without start time) is trusted to the pid, unless that process started after the lock
 * was taken.
 */
export function holderAlive(h: LockHolder): boolean {
  if (!alive(h.pid)) return false;
  if (!hasProc) return true;
  if (h.start !== undefined && h.boot !== undefined) {
    const s = processStart(h.pid);
    return s !== undefined && s.ticks === h.start && s.boot === h.boot;
  }
  const at = startedAtMs(h.pid);
  const since = Date.parse(h.since);
  return !(at !== undefined && Number.isFinite(since) && at > since + 2000);
}

/**
 * Whether the holder is proven to be a campaign head of this host, so that it may be signalled:
 * same pid, start time and boot as recorded; for a lock of an older version, a process that
 * started before the lock was taken and whose command line is campaign's.
 */
export function provenHead(h: LockHolder): boolean {
  if (h.host !== hostname() || !holderAlive(h) || !hasProc) return false;
  if (h.start !== undefined && h.boot !== undefined) return true;
  return startedAtMs(h.pid) !== undefined && /campaign|cli\/main\.js/.test(commandLine(h.pid));
}

/** Whether a process of this host is alive; a zombie (exited, not yet reaped) is not. */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return !hasProc;
  }
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, since ${h.since}${h.runId ? `, run ${h.runId}` : ''}`;
}
