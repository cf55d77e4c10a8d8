import { writeSync } from 'node:fs';

/** Writes synchronously so that output is complete even when the process exits right after. */
export function out(text: string): void {
  writeAll(1, text);
}

export function err(text: string): void {
  writeAll(2, text);
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return;
      throw e;
    }
  }
}

/**
 * A writer that gathers lines and writes them at the end of the event-loop turn: a run that
 * reports thousands of lines a second makes one write per turn, not one per line.
 */
export function batched(write: (text: string) => void): { line: (text: string) => void; flush: () => void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return {
    line: (text) => {
      pending.push(`${text}\n`);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** A writer that gathers output and writes it in pieces of about 64 KiB: never one huge string. */
export function chunked(write: (text: string) => void): { write: (text: string) => void; flush: () => void } {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    write(parts.join(''));
    parts = [];
    size = 0;
  };
  return {
    write: (text) => {
      parts.push(text);
      size += text.length;
      if (size > 65_536) flush();
    },
    flush,
  };
}
