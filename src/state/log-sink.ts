import pino, { type Logger } from 'pino';
import type { EngineEvent, EventSink } from '../exec/events.js';

/** The run's pino JSON log, in the run's state folder: one line per event. */
export class LogSink implements EventSink {
  private readonly dest: ReturnType<typeof pino.destination>;
  private readonly log: Logger;

  constructor(path: string, runId: string) {
    this.dest = pino.destination({ dest: path, sync: false, minLength: 4096, mkdir: true });
    this.log = pino({ base: { run: runId }, timestamp: pino.stdTimeFunctions.isoTime }, this.dest);
  }

  handle(e: EngineEvent): void {
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
    try {
      this.dest.flushSync();
    } catch {
      // nothing buffered
    }
    this.dest.end();
  }
}
