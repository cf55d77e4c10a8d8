import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Where the assembled dataset goes: bytes are gathered in one fixed buffer and written in blocks. */
export class Sink {
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private used = 0;

  private constructor(
    /** The descriptor written to: stdout, or the temporary file beside `--out`. */
    readonly fd: number,
    private readonly tmp?: string,
    private readonly target?: string,
  ) {}

  static stdout(): Sink {
    return new Sink(1);
  }

  /** A file that appears at `path` only when the assembly is complete (written beside it, renamed). */
  static file(path: string): Sink {
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    return new Sink(openSync(tmp, 'w'), tmp, path);
  }

  write(data: Buffer | string): void {
    const b = typeof data === 'string' ? Buffer.from(data) : data;
    if (b.length > this.buf.length - this.used) this.flush();
    if (b.length >= this.buf.length) {
      writeAll(this.fd, b);
      return;
    }
    b.copy(this.buf, this.used);
    this.used += b.length;
  }

  /** Writes what is gathered: before anything else writes to the descriptor (a user command). */
  flush(): void {
    if (this.used === 0) return;
    writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /** Completes the output: `--out` is fsync'd and renamed into place. */
  commit(): void {
    this.flush();
    if (this.tmp === undefined || this.target === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.target);
  }

  /** Drops an incomplete output: `--out` is left as it was. */
  abandon(): void {
    if (this.tmp === undefined) return;
    try {
      closeSync(this.fd);
      unlinkSync(this.tmp);
    } catch {
      // already gone
    }
  }
}

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return;
      throw e;
    }
  }
}
