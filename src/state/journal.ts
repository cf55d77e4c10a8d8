import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  writeSync,
} from 'node:fs';
import type { JournalRecord, RunHeader } from './journal-codec.js';

export type { JournalRecord, RunHeader } from './journal-codec.js';

/**
 * Appends records to a journal. Records are gathered and written together at the end of the
 * event-loop turn, or at once by `flush()`, which the journal's owner calls before anything
 * irreversible (a hand-over to a scheduler): a `kill -9` then loses at most records whose
 * facts are on disk elsewhere (an attempt's result file). A torn last line (a crash in the
 * middle of a write) is ignored by the reader. fdatasync runs at most once a second, and on
 * demand.
 *
 * A write that fails (a full or read-only state directory) never throws: what it left of a
 * record is cut off again, nothing more is written (so no later record can follow a torn
 * one), and `onError` is told once. The owner stops the run.
 */
export class JournalWriter {
  private fd: number;
  private dirty = false;
  private pending: string[] = [];
  private scheduled = false;
  /** Bytes of whole records in the file. */
  private size: number;
  private readonly timer: NodeJS.Timeout;
  /** The first write error; from then on nothing is written. */
  failure: NodeJS.ErrnoException | undefined;
  onError: ((e: NodeJS.ErrnoException) => void) | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
    this.timer = setInterval(() => this.sync(), 1000);
    this.timer.unref();
  }

  append(rec: JournalRecord): void {
    if (this.failure) return;
    this.pending.push(`${JSON.stringify(rec)}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes every gathered record now, in one write. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.fd < 0 || this.failure) return;
    const buf = Buffer.from(this.pending.join(''));
    this.pending = [];
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (e) {
      this.fail(e as NodeJS.ErrnoException, off > 0);
      return;
    }
    this.size += buf.length;
    this.dirty = true;
  }

  sync(): void {
    this.flush();
    if (!this.dirty || this.fd < 0 || this.failure) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.fd);
    } catch (e) {
      // Some filesystems refuse fdatasync (the data is written either way); on NFS, a full
      // server or quota shows here rather than at write().
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP')
        this.fail(e as NodeJS.ErrnoException, false);
    }
  }

  private fail(e: NodeJS.ErrnoException, partial: boolean): void {
    this.failure = e;
    this.pending = [];
    if (partial) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // the torn line stays the last one, which the reader skips
      }
    }
    this.onError?.(e);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.sync();
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch (e) {
        if (!this.failure) this.fail(e as NodeJS.ErrnoException, false);
      }
    }
    this.fd = -1;
  }
}

/** The first record of a run's journal (read alone: the rest of the file can be large). */
export function readRunHeader(path: string): RunHeader | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(64 * 1024);
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return undefined;
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) {
        chunks.push(Buffer.from(buf.subarray(0, nl)));
        break;
      }
      chunks.push(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
    const rec = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JournalRecord;
    return rec.k === 'run' ? rec : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads a journal; a torn or unreadable line (only ever the last) ends the reading. */
export function readJournal(path: string): JournalRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const out: JournalRecord[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    const line = text.slice(start, nl);
    start = nl + 1;
    if (line === '') continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      // a line cut short by a crash mid-write: nothing after it was acted on
    }
  }
  return out;
}
