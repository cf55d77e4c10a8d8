import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const PROBE_BYTES = 64 * 1024;

/**
 * Whether a folder can take a small file now: the error (ENOSPC, EDQUOT, EROFS, ...) if not.
 * An attempt that ended without its result may have been refused the space for it; this tells
 * that apart from an attempt that vanished, without waiting for the journal to fail too.
 */
export function probeWrite(dir: string): NodeJS.ErrnoException | undefined {
  const path = join(dir, `.probe-${process.pid}`);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w');
    const buf = Buffer.alloc(PROBE_BYTES);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
    return undefined;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  } finally {
    if (fd !== undefined) quietly(() => closeSync(fd as number));
    quietly(() => unlinkSync(path));
  }
}

/** One line for a state directory that cannot be written. */
export function describeWriteError(stateDir: string, e: NodeJS.ErrnoException): string {
  const what = e.code === 'ENOSPC' ? 'no space left' : e.code === 'EDQUOT' ? 'quota exceeded' : undefined;
  return `cannot write the state directory ${stateDir}: ${what ? `${what} (${e.code})` : e.message}`;
}

function quietly(f: () => void): void {
  try {
    f();
  } catch {
    // best effort: the probe was never created, or is already gone
  }
}
