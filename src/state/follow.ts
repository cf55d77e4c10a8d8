import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type EngineEvent, type TaskInfo, taskInfo } from '../exec/events.js';
import type { TaskGraph } from '../model/tasks.js';
import type { JournalRecord } from './journal.js';
import type { StatePaths } from './paths.js';
import { StateStore } from './store.js';

/**
 * Turns a run's journal back into the engine's event stream, for a view attached to a run
 * started elsewhere (`campaign watch`): the records already written first, then new ones as
 * they are appended.
 */
export class JournalFollower {
  private offset = 0;
  private partial = '';
  private started = false;
  private ended = false;

  constructor(
    private readonly paths: StatePaths,
    private readonly runId: string,
    private readonly graph: TaskGraph,
    private readonly scheduler: string,
  ) {}

  get finished(): boolean {
    return this.ended;
  }

  /** Events for the records appended since the last call. */
  poll(): EngineEvent[] {
    const path = this.paths.journal(this.runId);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return [];
    }
    if (size <= this.offset) return [];
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(size - this.offset);
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const text = this.partial + buf.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const events: EngineEvent[] = [];
    for (const line of lines) {
      if (!line) continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        continue;
      }
      const e = this.toEvent(rec);
      if (e) events.push(e);
    }
    return events;
  }

  private toEvent(rec: JournalRecord): EngineEvent | undefined {
    const files = (id: string, a: number, r0?: string) => this.paths.attempt(r0 ?? this.runId, id, a);
    switch (rec.k) {
      case 'run':
        this.started = true;
        return {
          type: 'run',
          reason: 'started',
          t: rec.t,
          runId: rec.run,
          campaign: rec.campaign,
          scheduler: rec.scheduler || this.scheduler,
          stateDir: this.paths.root,
          tasks: this.initialTasks(rec.sel),
        };
      case 'q':
        return {
          type: 'task',
          reason: 'queued',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          ...(rec.j ? { where: { jobId: rec.j } } : {}),
        };
      case 's': {
        const f = files(rec.id, rec.a, rec.r0);
        const pid = Number(rec.j);
        return {
          type: 'task',
          reason: 'started',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          where:
            Number.isInteger(pid) && pid > 0 && !rec.j.includes('_') && this.scheduler === 'local'
              ? { pid }
              : { jobId: rec.j },
          logs: { out: f.out, err: f.err },
          ...(rec.r0 ? { fromRun: rec.r0 } : {}),
        };
      }
      case 'ok':
        return {
          type: 'task',
          reason: 'succeeded',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          outcome: {
            exitCode: 0,
            ...(rec.w !== undefined ? { wallMs: rec.w } : {}),
            ...(rec.c !== undefined ? { cpuMs: rec.c } : {}),
            ...(rec.m !== undefined ? { maxRssKiB: rec.m } : {}),
          },
        };
      case 'f': {
        const f = files(rec.id, rec.a, rec.r0);
        return {
          type: 'task',
          reason: 'failed',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          outcome: {
            ...(rec.x !== undefined ? { exitCode: rec.x } : {}),
            ...(rec.sg ? { signal: rec.sg } : {}),
            ...(rec.w !== undefined ? { wallMs: rec.w } : {}),
          },
          failure: rec.r as Extract<EngineEvent, { reason: 'failed' }>['failure'],
          message: rec.msg,
          ...(rec.re !== undefined ? { retryIn: rec.re } : {}),
          logs: { out: f.out, err: f.err },
        };
      }
      case 'sk':
        return { type: 'task', reason: 'skipped', t: rec.t, id: rec.id, upstream: rec.up, message: rec.msg };
      case 'c':
        return { type: 'task', reason: 'cancelled', t: rec.t, id: rec.id, attempt: rec.a };
      case 'end':
        this.ended = true;
        return {
          type: 'run',
          reason: 'finished',
          t: rec.t,
          runId: this.runId,
          status: rec.status,
          counts: rec.counts,
        };
    }
  }

  /** Each task of the run (its selection, if recorded) in its state before the run. */
  private initialTasks(sel: readonly string[] | undefined): TaskInfo[] {
    const before = new StateStore(this.paths).load({ before: this.runId });
    const keep = sel ? new Set(sel) : undefined;
    return this.graph.tasks.flatMap((t) => {
      if (keep && !keep.has(t.id)) return [];
      const rec = before.tasks.get(t.id);
      const upToDate = rec?.state === 'succeeded' && rec.okHash === t.hash;
      return [taskInfo(t, upToDate ? 'succeeded' : 'pending')];
    });
  }

  get hasStarted(): boolean {
    return this.started;
  }
}
