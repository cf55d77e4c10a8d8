import type { TaskGraph } from '../model/tasks.js';
import type { Handle } from '../schedulers/contract.js';
import type { AttemptLayout } from './prepare.js';

/** What the engine needs to know of an attempt an earlier head recorded. */
export interface RecordedAttempt {
  readonly state: string;
  readonly attempt: number;
  readonly jobId?: string;
  readonly startedAt?: number;
  /** The run that started it (its files are in that run's folder). */
  readonly startRun?: string;
}

/** The recorded state of the campaign, as far as the engine reads it. */
export interface RecordedTasks {
  readonly tasks: ReadonlyMap<string, RecordedAttempt>;
}

/** An attempt left queued or running by an earlier head: collected or watched, never started again. */
export interface Orphan {
  readonly v: number;
  readonly handle: Handle;
  readonly fromRun: string;
  /** Recorded as handed over, not yet seen running. */
  readonly queued: boolean;
}

export function orphansOf(graph: TaskGraph, recorded: RecordedTasks, layout: AttemptLayout): Orphan[] {
  const out: Orphan[] = [];
  graph.tasks.forEach((t, v) => {
    const rec = recorded.tasks.get(t.id);
    if (!rec || (rec.state !== 'running' && rec.state !== 'queued') || !rec.startRun) return;
    out.push({
      v,
      fromRun: rec.startRun,
      queued: rec.state === 'queued',
      handle: {
        taskId: t.id,
        attempt: rec.attempt,
        jobId: rec.jobId ?? '',
        ...(rec.startedAt ? { startedAt: rec.startedAt } : {}),
        files: layout.attempt(rec.startRun, t.id, rec.attempt),
      },
    });
  });
  return out;
}
