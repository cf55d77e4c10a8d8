import { closeSync, openSync, readSync } from 'node:fs';

/** The size of the one buffer a file is read through: memory does not grow with the file. */
export const CHUNK = 1 << 20;

/** Calls `each` with successive chunks of a file, all read into one reused buffer. */
export function readChunks(file: string, each: (chunk: Buffer) => void): void {
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) return;
      each(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}
