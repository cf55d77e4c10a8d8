import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { RunStatus, TaskState } from '../exec/events.js';

/**
 * One line of a run's journal. Keys are short because a campaign of 10,000 tasks writes
 * tens of thousands of them; the format is documented in docs/state.md.
 */
export type JournalRecord =
  | {
      k: 'run';
      t: number;
      run: string;
      pid: number;
      host: string;
      file: string;
      campaign: string;
      scheduler: string;
      tasks: number;
    }
  /** Handed to the scheduler (written before the hand-over, so a crash cannot lose it). */
  | { k: 'q'; t: number; id: string; a: number; j?: string; ix?: number }
  /** Running: `j` is the pid or job id, `st` the launcher's start time; `r0` the run that started it. */
  | { k: 's'; t: number; id: string; a: number; j: string; st?: number; r0?: string }
  /** Succeeded: definition hash and success sequence number; wall, cpu ms, peak KiB. */
  | {
      k: 'ok';
      t: number;
      id: string;
      a: number;
      h: string;
      n: number;
      w?: number;
      c?: number;
      m?: number;
      r0?: string;
    }
  | {
      k: 'f';
      t: number;
      id: string;
      a: number;
      r: string;
      msg: string;
      x?: number;
      sg?: string;
      w?: number;
      c?: number;
      m?: number;
      /** Seconds until the retry, when there is one. */
      re?: number;
      r0?: string;
    }
  | { k: 'sk'; t: number; id: string; up: string; msg: string }
  | { k: 'c'; t: number; id: string; a: number; r0?: string }
  | { k: 'end'; t: number; status: RunStatus; counts: Record<TaskState, number> };

/**
 * Appends records to a journal. Records are gathered and written together at the end of the
 * event-loop turn, or at once by `flush()`, which the journal's owner calls before anything
 * irreversible (a hand-over to a scheduler): a `kill -9` then loses at most records whose
 * facts are on disk elsewhere (an attempt's result file). A torn last line (a crash in the
 * middle of a write) is ignored by the reader. fdatasync runs at most once a second, and on
 * demand.
 */
export class JournalWriter {
  private fd: number;
  private dirty = false;
  private pending: string[] = [];
  private scheduled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
    this.timer = setInterval(() => this.sync(), 1000);
    this.timer.unref();
  }

  append(rec: JournalRecord): void {
    this.pending.push(`${JSON.stringify(rec)}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes every gathered record now, in one write. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.fd < 0) return;
    const buf = Buffer.from(this.pending.join(''));
    this.pending = [];
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.dirty = true;
  }

  sync(): void {
    this.flush();
    if (!this.dirty || this.fd < 0) return;
    this.dirty = false;
    try {
      fdatasyncSync(this.fd);
    } catch {
      // some filesystems refuse fdatasync; the data is written either way
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.sync();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
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
