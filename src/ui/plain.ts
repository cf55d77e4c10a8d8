import type { EngineEvent, EventSink, TaskState } from '../exec/events.js';
import { formatDuration } from '../model/units.js';

/**
 * The line reporter for CI and pipes: one line per state change, then a summary. Lines start
 * with the time since the run started.
 */
export class PlainReporter implements EventSink {
  private start = 0;
  private showQueued = false;
  private toDo = 0;
  private readonly failures: { id: string; message: string; log?: string }[] = [];
  /** Per task, how each retry grew its request (`attempt 2 with 200M after oom at 100M`). */
  private readonly escalations = new Map<string, string[]>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly retryCommand: string,
    /** The last lines of a log, for the summary of what failed. */
    private readonly readTail: (path: string, n: number) => readonly string[] = () => [],
  ) {}

  handle(e: EngineEvent): void {
    if (e.type === 'run') {
      if (e.reason === 'started') {
        this.start = e.t;
        this.showQueued = e.scheduler !== 'local';
        const done = e.tasks.filter((t) => t.state === 'succeeded').length;
        this.toDo = e.tasks.length - done;
        const running = e.tasks.filter((t) => t.state === 'running').length;
        const parts = [`${e.tasks.length} task${e.tasks.length === 1 ? '' : 's'}`];
        if (done > 0) parts.push(`${done} up to date`);
        if (running > 0) parts.push(`${running} still running from an earlier run`);
        this.line(e.t, `run ${e.runId} of ${e.campaign} on ${e.scheduler}: ${parts.join(', ')}`);
      } else if (e.reason === 'cancelling') {
        this.line(e.t, 'cancelling: stopping running tasks');
      } else if (e.reason === 'halted') {
        this.line(e.t, `stopped handing out work: ${e.message}`);
      } else {
        this.summary(e.t, e.status, e.counts);
      }
      return;
    }
    switch (e.reason) {
      case 'queued':
        if (this.showQueued)
          this.line(e.t, `queued     ${e.id}${e.where?.jobId ? ` (job ${e.where.jobId})` : ''}`);
        break;
      case 'started': {
        const where = e.where.jobId && !e.where.pid ? `job ${e.where.jobId}` : `pid ${e.where.pid}`;
        this.line(
          e.t,
          `started    ${e.id}${attempt(e.attempt)} (${where})${e.fromRun ? `, reattached from ${e.fromRun}` : ''}`,
        );
        break;
      }
      case 'succeeded':
        this.line(e.t, `succeeded  ${e.id}${attempt(e.attempt)} in ${seconds(e.outcome.wallMs)}`);
        break;
      case 'failed':
        if (e.retryIn !== undefined) {
          if (e.escalation) {
            const steps = this.escalations.get(e.id);
            if (steps) steps.push(e.escalation);
            else this.escalations.set(e.id, [e.escalation]);
          }
          this.line(
            e.t,
            `failed     ${e.id}${attempt(e.attempt)}: ${e.message}; retrying in ${formatDuration(e.retryIn)}${e.escalation ? ` (${e.escalation})` : ''}`,
          );
        } else {
          this.line(
            e.t,
            `failed     ${e.id}${attempt(e.attempt)}: ${e.message}${e.logs ? `  log: ${e.logs.err}` : ''}`,
          );
          this.failures.push({ id: e.id, message: e.message, ...(e.logs ? { log: e.logs.err } : {}) });
        }
        break;
      case 'skipped':
        this.line(e.t, `skipped    ${e.id}: ${e.message}`);
        break;
      case 'cancelled':
        this.line(e.t, `cancelled  ${e.id}`);
        break;
    }
  }

  private summary(t: number, status: string, counts: Record<TaskState, number>): void {
    const parts = (Object.entries(counts) as [TaskState, number][])
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    if (this.toDo === 0 && status === 'succeeded') {
      this.line(t, `nothing to do: ${counts.succeeded} up to date`);
      return;
    }
    this.line(t, `${status}: ${parts.join(', ') || 'nothing to do'} in ${seconds(t - this.start)}`);
    if (this.escalations.size > 0) {
      this.write('requests grown after oom or timeout:');
      for (const [id, steps] of this.escalations) this.write(`  ${id}: ${steps.join('; ')}`);
    }
    if (this.failures.length > 0) {
      this.write('failed tasks:');
      for (const f of this.failures) {
        this.write(`  ${f.id}  ${f.message}${f.log ? `  ${f.log}` : ''}`);
        if (f.log)
          for (const l of this.readTail(f.log, TAIL_LINES)) if (l.trim() !== '') this.write(`    | ${l}`);
      }
      this.write(`to retry them: ${this.retryCommand}`);
    }
  }

  private line(t: number, text: string): void {
    this.write(`[${clock(t - this.start)}] ${text}`);
  }
}

/** Lines of a failed task's stderr in the summary. */
const TAIL_LINES = 3;

const attempt = (a: number) => (a > 1 ? ` (attempt ${a})` : '');

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '?';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms / 1000);
}
