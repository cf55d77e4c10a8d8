import type { TaskGraph } from '../model/tasks.js';
import type { Handle } from '../schedulers/contract.js';
import type { Admission } from './admission.js';
import { type Board, LAUNCH, OK, OUT, RUN, WAIT } from './board.js';
import { unmet } from './deps.js';
import { type EngineEvent, type Placement, type TaskInfo, taskInfo } from './events.js';
import type { AttemptLayout } from './prepare.js';
import { type Orphan, orphansOf, type RecordedTasks } from './recovery.js';
import { Action, type RunPlan } from './select.js';

/** What setting up a run needs of the engine. */
export interface StartHost {
  readonly graph: TaskGraph;
  readonly board: Board;
  readonly handles: Map<number, Handle>;
  /** Counts an adopted attempt as under way. */
  adopt(o: Orphan): void;
  makeReady(v: number): void;
}

/**
 * The run's starting point: attempts a crashed head left under way are adopted (collected or
 * watched, never started again), every task gets its state from the run's plan, and the tasks
 * of the run are listed for the views. Returns the adopted attempts and the list.
 */
export function adoptAndList(
  host: StartHost,
  admission: Admission,
  plan: RunPlan,
  recorded: RecordedTasks,
  layout: AttemptLayout,
): { orphans: Orphan[]; infos: TaskInfo[] } {
  const { graph, board } = host;
  const orphans = orphansOf(graph, recorded, layout);
  for (const o of orphans) {
    host.handles.set(o.v, o.handle);
    board.attempt[o.v] = o.handle.attempt;
    board.st[o.v] = admission.orphanState(o.queued);
    admission.orphan(o.v);
    host.adopt(o);
  }
  const infos: TaskInfo[] = [];
  for (let v = 0; v < board.n; v++) {
    const t = graph.tasks[v]!;
    const s = board.st[v];
    if (s === RUN || s === LAUNCH) infos.push(taskInfo(t, s === RUN ? 'running' : 'queued'));
    else if (plan.action[v] === Action.Done) {
      board.st[v] = OK;
      infos.push(taskInfo(t, 'succeeded'));
    } else if (plan.action[v] === Action.Excluded) board.st[v] = OUT;
    else {
      board.st[v] = WAIT;
      infos.push(taskInfo(t, 'pending'));
    }
  }
  return { orphans, infos };
}

/** Counts every waiting task's unfinished dependencies; tasks whose upstream can never finish are skipped. */
export function countDependencies(
  host: StartHost,
  admission: Admission,
  cascade: { skip(v: number, upstream: string, message: string): void },
): void {
  const { graph, board } = host;
  for (const v of graph.order) {
    if (board.st[v] !== WAIT) continue;
    const u = unmet(graph, board, v, (p, w) => admission.heldFor(p, w));
    if ('blockedBy' in u) {
      const up = graph.tasks[u.blockedBy]!.id;
      const why = board.st[u.blockedBy] === OUT ? 'is not done and not selected' : 'was skipped';
      cascade.skip(v, up, `upstream ${up} ${why}`);
      continue;
    }
    board.remaining[v] = u.count;
    if (u.count === 0) host.makeReady(v);
  }
}

/** Tells the views of the adopted attempts, once the run has started. */
export function announce(
  orphans: readonly Orphan[],
  placement: (h: Handle) => Placement,
  emit: (e: EngineEvent) => void,
  t: number,
): void {
  for (const { handle: h, fromRun, queued } of orphans) {
    const where = placement(h);
    const base = { type: 'task', t, id: h.taskId, attempt: h.attempt, where } as const;
    if (queued) emit({ ...base, reason: 'queued', fromRun });
    else emit({ ...base, reason: 'started', logs: { out: h.files.out, err: h.files.err }, fromRun });
  }
}
