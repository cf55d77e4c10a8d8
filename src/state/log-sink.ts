import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type { EngineEvent, EventSink } from '../exec/events.js';

/**
 * The run's pino JSON log, in the run's state folder: one line per event. Lines are gathered
 * and written together at the end of the event-loop turn, as the journal's are. A write that
 * fails (a full state directory) is reported once through `onError` and ends the logging; it
 * never throws into the engine, never loops retrying (as pino's own SonicBoom destination
 * does in its flush at exit), and never crashes the head with an unhandled 'error' event.
 */
export class LogSink implements EventSink {
  private readonly file: LineFile;
  private readonly log: Logger;

  constructor(path: string, runId: string) {
    this.file = new LineFile(path);
    this.log = pino({ base: { run: runId }, timestamp: pino.stdTimeFunctions.isoTime }, this.file);
  }

  /** The first write error; from then on nothing is logged. */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.file.failure;
  }

  set onError(f: (e: NodeJS.ErrnoException) => void) {
    this.file.onError = f;
  }

  handle(e: EngineEvent): void {
    if (this.file.failure) return;
    if (e.type === 'run') {
      if (e.reason === 'started')
        this.log.info(
          { event: 'run.started', campaign: e.campaign, scheduler: e.scheduler, tasks: e.tasks.length },
          'run started',
        );
      else if (e.reason === 'finished')
        this.log.info({ event: 'run.finished', status: e.status, counts: e.counts }, `run ${e.status}`);
      else if (e.reason === 'halted') this.log.error({ event: 'run.halted', message: e.message }, e.message);
      else this.log.warn({ event: 'run.cancelling' }, 'cancelling');
      return;
    }
    const { type: _type, t: _t, reason, ...rest } = e;
    const level = reason === 'failed' ? (e.retryIn !== undefined ? 'warn' : 'error') : 'info';
    this.log[level]({ event: `task.${reason}`, ...rest }, `${e.id} ${reason}`);
  }

  close(): void {
    this.file.close();
  }
}

/** An append-only file of lines, written once per event-loop turn; pino's destination. */
class LineFile {
  private fd: number;
  private pending: string[] = [];
  private scheduled = false;
  failure: NodeJS.ErrnoException | undefined;
  onError: ((e: NodeJS.ErrnoException) => void) | undefined;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  write(line: string): void {
    if (this.failure || this.fd < 0) return;
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.fd < 0 || this.failure) return;
    const buf = Buffer.from(this.pending.join(''));
    this.pending = [];
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off);
    } catch (e) {
      this.failure = e as NodeJS.ErrnoException;
      this.onError?.(this.failure);
    }
  }

  close(): void {
    this.flush();
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // a log that cannot be closed has nothing more to lose
    }
    this.fd = -1;
  }
}
