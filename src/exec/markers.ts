import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { seedOf } from '../model/expand/seed.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import type { EngineEvent, EventSink } from './events.js';

/** What the marker writer knows of a task's last success in an earlier run. */
export interface EarlierSuccess {
  readonly run?: string;
  readonly attempt?: number;
  readonly hash?: string;
  /** Epoch ms of the record. */
  readonly t: number;
  readonly wallMs?: number;
}

/** One task in a DONE record. */
export interface DoneTask {
  readonly id: string;
  readonly instance?: string;
  readonly seed?: number;
  readonly hash: string;
  readonly run?: string;
  readonly attempt?: number;
  readonly started?: string;
  readonly finished?: string;
  readonly wall_ms?: number;
}

/** The JSON a `markers.done` file holds. */
export interface DoneRecord {
  readonly task: string;
  readonly node: string;
  readonly run: string;
  readonly finished: string;
  /** Every task the task waited for, in task order, then the task itself. */
  readonly tasks: readonly DoneTask[];
}

interface Seen {
  attempt: number;
  started?: number;
  finished?: number;
  wallMs?: number;
}

/**
 * Writes the files a node's `markers` names once one of its tasks has succeeded: `ready`, a
 * READY file per item (task, run, attempt, seed, hash, time), and `done`, a JSON record of the
 * task and every task it waited for with their ids, seeds, definition hashes and times. The
 * campaign writes them, not the task's command, and only after the outputs and check passed;
 * a rerun rewrites them. They are records for people and tools, not outputs: what decides that
 * a task is done is its `outputs`.
 */
export class MarkerSink implements EventSink {
  private run = '';
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly graph: TaskGraph,
    private readonly campaignSeed: number,
    /** The last success an earlier run recorded, for tasks this run did not run. */
    private readonly earlier: (id: string) => EarlierSuccess | undefined,
    private readonly onError: (message: string) => void,
  ) {}

  handle(e: EngineEvent): void {
    if (e.type === 'run') {
      if (e.reason === 'started') this.run = e.runId;
      return;
    }
    if (e.reason === 'started') {
      this.seen.set(e.id, { attempt: e.attempt, started: e.t });
      return;
    }
    if (e.reason !== 'succeeded') return;
    const s = this.seen.get(e.id) ?? { attempt: e.attempt };
    s.attempt = e.attempt;
    s.finished = e.t;
    if (e.outcome.wallMs !== undefined) s.wallMs = e.outcome.wallMs;
    this.seen.set(e.id, s);
    const v = this.graph.indexOf.get(e.id);
    if (v === undefined) return;
    const task = this.graph.tasks[v]!;
    if (!task.markers) return;
    try {
      this.write(v, task, e.t, e.fromRun);
    } catch (err) {
      this.onError(`could not write the markers of ${task.id}: ${(err as Error).message}`);
    }
  }

  private write(v: number, task: TaskSpec, t: number, fromRun: string | undefined): void {
    const m = task.markers!;
    const run = fromRun ?? this.run;
    const items = task.items ?? [];
    m.ready.forEach((path, k) => {
      const item = items[k];
      const ready = {
        task: task.id,
        ...(item ? { instance: item.instance, seed: item.seed } : this.seedOf(task)),
        run,
        attempt: this.seen.get(task.id)?.attempt,
        hash: task.hash,
        finished: new Date(t).toISOString(),
      };
      writeAtomic(this.resolve(task, path), `${JSON.stringify(ready)}\n`);
    });
    if (m.done.length === 0) return;
    const preds = [...this.graph.dag.predecessors(v)].sort((a, b) => a - b);
    const record: DoneRecord = {
      task: task.id,
      node: task.node.id,
      run,
      finished: new Date(t).toISOString(),
      tasks: [...preds, v].map((u) => this.entry(this.graph.tasks[u]!)),
    };
    const text = `${JSON.stringify(record, null, 2)}\n`;
    for (const path of m.done) writeAtomic(this.resolve(task, path), text);
  }

  private entry(t: TaskSpec): DoneTask {
    const here = this.seen.get(t.id);
    const base = { id: t.id, ...this.seedOf(t), hash: t.hash };
    if (here?.finished !== undefined) {
      return {
        ...base,
        run: this.run,
        attempt: here.attempt,
        ...(here.started !== undefined ? { started: new Date(here.started).toISOString() } : {}),
        finished: new Date(here.finished).toISOString(),
        ...(here.wallMs !== undefined ? { wall_ms: here.wallMs } : {}),
      };
    }
    const old = this.earlier(t.id);
    if (!old) return base;
    return {
      ...base,
      ...(old.run !== undefined ? { run: old.run } : {}),
      ...(old.attempt !== undefined ? { attempt: old.attempt } : {}),
      finished: new Date(old.t).toISOString(),
      ...(old.wallMs !== undefined ? { wall_ms: old.wallMs } : {}),
    };
  }

  private seedOf(t: TaskSpec): { instance?: string; seed?: number } {
    return t.instance !== undefined ? { instance: t.instance, seed: seedOf(this.campaignSeed, t.id) } : {};
  }

  private resolve(t: TaskSpec, path: string): string {
    return isAbsolute(path) ? path : resolve(t.workdir, path);
  }
}

/** Written beside and renamed into place, so a reader never sees half a marker. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
