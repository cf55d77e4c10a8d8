import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { type EngineEvent, type TaskInfo, taskInfo } from '../exec/events.js';
import type { TaskGraph } from '../model/tasks.js';
import type { JournalRecord } from './journal.js';
import { JournalDecoder } from './journal-codec.js';
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
  private readonly decoder: JournalDecoder;

  constructor(
    private readonly paths: StatePaths,
    private readonly runId: string,
    private readonly graph: TaskGraph,
    scheduler: string,
  ) {
    this.decoder = new JournalDecoder({
      runId,
      stateDir: paths.root,
      scheduler,
      logs: (run, id, a) => {
        const f = paths.attempt(run, id, a);
        return { out: f.out, err: f.err };
      },
      tasks: (sel) => this.initialTasks(sel),
    });
  }

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
    if (rec.k === 'run') this.started = true;
    if (rec.k === 'end') this.ended = true;
    return this.decoder.decode(rec);
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
