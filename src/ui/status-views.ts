import type { TaskState } from '../exec/events.js';
import type { AttemptRecord } from '../state/attempts.js';
import type { PlacementKind } from '../state/journal-codec.js';
import type { TaskRecord } from '../state/store.js';
import type { TaskView } from './status.js';
import { attemptView } from './status-attempts.js';

/** What a queue query said of an unfinished batch job that no head watches. */
export interface QueueAnswer {
  /** The job waits or runs; undefined when the queue no longer lists it. */
  readonly state?: 'queued' | 'running';
  /** The scheduler's own word, for a job that left the queue's running and waiting states. */
  readonly word?: string;
}

export interface TaskViewSource {
  /** The stderr log of attempt `a` of task `id` of run `run`. */
  log(run: string, id: string, a: number): string;
  /** The queue's answer for an unfinished job, when the queue was asked (no head watches it). */
  queue?(jobId: string): QueueAnswer | undefined;
  /** Whether the latest attempt's `jobId` is a pid or a job id, when the record does not say. */
  placement?(rec: TaskRecord): PlacementKind;
  /** The task's recorded attempts, oldest first. */
  attempts?(id: string): readonly AttemptRecord[] | undefined;
}

/** A task as `status` shows it, from what is recorded of it. */
export function taskView(
  id: string,
  node: string,
  rec: TaskRecord | undefined,
  src: TaskViewSource,
): TaskView {
  const recorded = src.attempts?.(id);
  const attempts = recorded && recorded.length > 0 ? { attempts: recorded.map(attemptView) } : {};
  if (!rec) return { id, node, state: 'pending', attempt: 0, ...attempts };
  const unfinished = rec.state === 'running' || rec.state === 'queued';
  const logRun = unfinished ? (rec.startRun ?? rec.run) : rec.run;
  const job = (rec.placement ?? src.placement?.(rec) ?? 'job') === 'job';
  const asked = unfinished && job && rec.jobId ? src.queue?.(rec.jobId) : undefined;
  const state: TaskState = asked?.state ?? rec.state;
  const gone = asked !== undefined && asked.state === undefined;
  return {
    id,
    node,
    state,
    attempt: rec.attempt,
    run: rec.run,
    ...(rec.failure ? { failure: rec.failure } : {}),
    ...(rec.message ? { message: rec.message } : {}),
    ...(rec.attempt > 0 ? { log: src.log(logRun, id, rec.attempt) } : {}),
    ...(rec.jobId
      ? {
          where: job
            ? `job ${rec.jobId}${gone ? `, ${asked.word ? asked.word.toLowerCase() : 'gone from the queue'}: 'campaign watch' collects it` : ''}`
            : `pid ${rec.jobId}`,
        }
      : {}),
    ...attempts,
  };
}
