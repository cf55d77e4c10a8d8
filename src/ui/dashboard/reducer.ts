import {
  type EngineEvent,
  type Placement,
  type RunStatus,
  stateAfter,
  TASK_STATES,
  type TaskEvent,
  type TaskState,
} from '../../exec/events.js';
import type { FailureKind } from '../../model/campaign.js';
import { buildRows, type LogRef, type Rows, STATES } from './tree.js';

/** Index of each state in `TASK_STATES`, the layout of every counter array. */
export const STATE_INDEX: Readonly<Record<TaskState, number>> = {
  pending: 0,
  queued: 1,
  running: 2,
  succeeded: 3,
  failed: 4,
  skipped: 5,
  cancelled: 6,
};
const PENDING = 0;
const QUEUED = 1;
const RUNNING = 2;
const SUCCEEDED = 3;

/** Latest failures kept for the view; the total is counted separately. */
export const MAX_FAILURES = 100;
/** Tasks whose grown requests the summary lists. */
const MAX_ESCALATED = 20;
/** Lines the scroll-back log keeps for finished rows and for failures, before it says "and more". */
export const MAX_ROW_LINES = 500;
export const MAX_FAILURE_LINES = 200;
/** The throughput window, in seconds (one counter per second). */
export const THROUGHPUT_WINDOW_S = 60;
/** Time constant of the running-tasks average that the ETA divides by. */
export const PARALLELISM_TAU_MS = 60_000;

export type FailureCause = FailureKind | 'outputs' | 'check' | 'submit';

/** A task that failed for good (no retry left). */
export interface FailureRecord {
  readonly id: string;
  readonly row: number;
  readonly attempt: number;
  readonly kind: FailureCause;
  readonly message: string;
  readonly t: number;
  readonly logs?: { readonly out: string; readonly err: string };
}

/** One line of the scroll-back log (`<Static>`): a row that completed, a failure, or a note. */
export type FinishedLine =
  | {
      readonly key: number;
      readonly kind: 'row';
      readonly row: number;
      readonly counts: readonly number[];
      readonly durationMs: number | undefined;
    }
  | { readonly key: number; readonly kind: 'failure'; readonly failure: FailureRecord }
  | { readonly key: number; readonly kind: 'note'; readonly text: string };

/** Per-task columns, indexed by the task's position in the `run started` event. */
export interface Tasks {
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly state: Uint8Array;
  readonly attempt: Uint16Array;
  readonly startedAt: Float64Array;
  /** Declared runtime and limit in seconds; NaN when not declared. */
  readonly runtimeS: Float64Array;
  readonly limitS: Float64Array;
  readonly row: Int32Array;
  /** Placement of queued and running attempts. */
  readonly where: Map<number, Placement>;
  /** Logs of the current attempt, while it is queued or running. */
  readonly logs: Map<number, { readonly out: string; readonly err: string }>;
}

/**
 * The dashboard's view of a run. It is large (columns per task), so `reduce` updates it in
 * place and bumps `version`; whoever holds it must treat it as owned by the reducer.
 */
export interface DashboardState {
  version: number;
  phase: 'waiting' | 'running' | 'cancelling' | 'finished';
  readonly createdAt: number;
  campaign: string;
  runId: string;
  scheduler: string;
  stateDir: string;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  status: RunStatus | undefined;
  /** Why the run stopped handing out work, when it had to (lock lost, journal unwritable). */
  halted?: string;
  /** Per task, how each retry grew its request, in order (at most `MAX_ESCALATED` tasks kept). */
  escalations: Map<string, string[]>;
  /** Tasks the run had to do when it started (not already up to date). */
  toDo: number;
  /** The engine's own counts from `run finished`. */
  finalCounts: Readonly<Record<TaskState, number>> | undefined;
  tasks: Tasks;
  rows: Rows;
  /** Tasks per state, in `TASK_STATES` order. */
  readonly counts: Int32Array;
  /** Running tasks in the order they started: the first ones have run longest. */
  readonly running: Set<number>;
  /** Latest final failures, oldest first, at most `MAX_FAILURES`. */
  readonly failures: FailureRecord[];
  failuresTotal: number;
  /** Failed attempts that the retry policy gave another go. */
  retried: number;
  readonly finished: FinishedLine[];
  rowLines: number;
  failureLines: number;
  // ETA inputs: declared work not started yet, and how long finished work really took.
  remainingDeclaredMs: number;
  remainingUndeclared: number;
  /** Wall time and declared runtime of succeeded tasks that declared one. */
  observedWallMs: number;
  observedDeclaredMs: number;
  /** Wall time and number of all succeeded tasks with a known duration. */
  observedAllWallMs: number;
  observedAllCount: number;
  /** Per node (its leaf row): planned work not started yet, observed wall and planned runtime of its successes. */
  rowRemainingMs: Float64Array;
  rowObservedWallMs: Float64Array;
  rowObservedDeclaredMs: Float64Array;
  /** Nodes with a success to compare with (their own ratio corrects their estimates). */
  readonly observedRows: Set<number>;
  /** Planned work not started yet of the nodes that have none (the run's ratio corrects it). */
  unobservedRemainingMs: number;
  /** Bias-corrected exponential average of the number of running tasks. */
  parallel: { ema: number; weight: number; at: number };
  firstStartAt: number | undefined;
  /** Finished tasks per second of the clock, for the last `THROUGHPUT_WINDOW_S` seconds. */
  readonly doneBySecond: Int32Array;
  readonly doneSecond: Float64Array;
}

function emptyTasks(): Tasks {
  return {
    ids: [],
    index: new Map(),
    state: new Uint8Array(0),
    attempt: new Uint16Array(0),
    startedAt: new Float64Array(0),
    runtimeS: new Float64Array(0),
    limitS: new Float64Array(0),
    row: new Int32Array(0),
    where: new Map(),
    logs: new Map(),
  };
}

/** The state before any event: waiting for the run to start. */
export function createDashboardState({ now }: { now: number }): DashboardState {
  return {
    version: 0,
    phase: 'waiting',
    createdAt: now,
    campaign: '',
    runId: '',
    scheduler: '',
    stateDir: '',
    startedAt: undefined,
    finishedAt: undefined,
    status: undefined,
    toDo: 0,
    finalCounts: undefined,
    tasks: emptyTasks(),
    rows: buildRows([]).rows,
    counts: new Int32Array(STATES),
    running: new Set(),
    failures: [],
    failuresTotal: 0,
    retried: 0,
    escalations: new Map(),
    finished: [],
    rowLines: 0,
    failureLines: 0,
    remainingDeclaredMs: 0,
    remainingUndeclared: 0,
    observedWallMs: 0,
    observedDeclaredMs: 0,
    observedAllWallMs: 0,
    observedAllCount: 0,
    rowRemainingMs: new Float64Array(0),
    rowObservedWallMs: new Float64Array(0),
    rowObservedDeclaredMs: new Float64Array(0),
    observedRows: new Set(),
    unobservedRemainingMs: 0,
    parallel: { ema: 0, weight: 0, at: 0 },
    firstStartAt: undefined,
    doneBySecond: new Int32Array(THROUGHPUT_WINDOW_S),
    doneSecond: new Float64Array(THROUGHPUT_WINDOW_S).fill(-1),
  };
}

/**
 * Folds one engine event into the view state in O(1) (O(tree depth) for row counters). No I/O
 * and no clock: time comes from the events. Returns the state, with `version` bumped when the
 * event changed anything; a `run started` event returns a fresh state.
 */
export function reduce(state: DashboardState, event: EngineEvent): DashboardState {
  if (event.type === 'run') {
    switch (event.reason) {
      case 'started':
        return startRun(state, event);
      case 'cancelling':
        if (state.phase !== 'running') return state;
        state.phase = 'cancelling';
        break;
      case 'halted':
        state.halted = event.message;
        break;
      case 'finished':
        state.phase = 'finished';
        state.finishedAt = event.t;
        state.status = event.status;
        state.finalCounts = event.counts;
        break;
    }
    state.version++;
    return state;
  }
  const i = state.tasks.index.get(event.id);
  if (i === undefined) return state;
  advanceParallel(state, event.t);
  taskEvent(state, i, event);
  state.version++;
  return state;
}

function startRun(
  prev: DashboardState,
  e: Extract<EngineEvent, { reason: 'started'; type: 'run' }>,
): DashboardState {
  const s = createDashboardState({ now: prev.createdAt });
  const n = e.tasks.length;
  const { rows, taskRow } = buildRows(e.tasks);
  const index = new Map<string, number>();
  const tasks: Tasks = {
    ids: e.tasks.map((t) => t.id),
    index,
    state: new Uint8Array(n),
    attempt: new Uint16Array(n),
    startedAt: new Float64Array(n).fill(Number.NaN),
    runtimeS: new Float64Array(n),
    limitS: new Float64Array(n),
    row: taskRow,
    where: new Map(),
    logs: new Map(),
  };
  s.tasks = tasks;
  s.rows = rows;
  s.rowRemainingMs = new Float64Array(rows.size);
  s.rowObservedWallMs = new Float64Array(rows.size);
  s.rowObservedDeclaredMs = new Float64Array(rows.size);
  s.toDo = e.tasks.filter((t) => t.state !== 'succeeded').length;
  e.tasks.forEach((t, i) => {
    index.set(t.id, i);
    const st = STATE_INDEX[t.state];
    tasks.state[i] = st;
    tasks.runtimeS[i] = t.runtime ?? Number.NaN;
    tasks.limitS[i] = t.limit ?? Number.NaN;
    s.counts[st]!++;
    for (let r = taskRow[i]!; r >= 0; r = rows.parent[r]!) rows.counts[r * STATES + st]!++;
    if (st <= QUEUED) addRemaining(s, i, 1);
    if (st === RUNNING) {
      tasks.startedAt[i] = e.t;
      s.running.add(i);
    }
  });
  for (let r = 0; r < rows.size; r++) {
    const b = r * STATES;
    if (rows.counts[b]! + rows.counts[b + 1]! + rows.counts[b + 2]! === 0) rows.announced[r] = 1;
  }
  if (s.running.size > 0) {
    s.firstStartAt = e.t;
    s.parallel = { ema: 0, weight: 0, at: e.t };
  }
  s.version = prev.version + 1;
  s.phase = 'running';
  s.campaign = e.campaign;
  s.runId = e.runId;
  s.scheduler = e.scheduler;
  s.stateDir = e.stateDir;
  s.startedAt = e.t;
  return s;
}

function addRemaining(s: DashboardState, i: number, sign: 1 | -1): void {
  const rt = s.tasks.runtimeS[i]!;
  if (Number.isNaN(rt)) {
    s.remainingUndeclared += sign;
    return;
  }
  s.remainingDeclaredMs += sign * rt * 1000;
  const r = s.tasks.row[i]!;
  s.rowRemainingMs[r] = s.rowRemainingMs[r]! + sign * rt * 1000;
  if (!s.observedRows.has(r)) s.unobservedRemainingMs += sign * rt * 1000;
}

/** Moves the running-count average forward to `t`, before the count changes. */
function advanceParallel(s: DashboardState, t: number): void {
  const p = s.parallel;
  if (s.firstStartAt === undefined || t <= p.at) return;
  const decay = Math.exp(-(t - p.at) / PARALLELISM_TAU_MS);
  const r = s.running.size;
  p.ema = r + (p.ema - r) * decay;
  p.weight = 1 + (p.weight - 1) * decay;
  p.at = t;
}

function taskEvent(s: DashboardState, i: number, e: TaskEvent): void {
  const { tasks, rows } = s;
  switch (e.reason) {
    case 'queued':
      tasks.attempt[i] = e.attempt;
      if (e.where) tasks.where.set(i, e.where);
      break;
    case 'started': {
      tasks.attempt[i] = e.attempt;
      tasks.startedAt[i] = e.t;
      tasks.where.set(i, e.where);
      tasks.logs.set(i, e.logs);
      if (s.firstStartAt === undefined) {
        s.firstStartAt = e.t;
        s.parallel = { ema: 0, weight: 0, at: e.t };
      }
      const ref: LogRef = { taskId: e.id, out: e.logs.out, err: e.logs.err };
      for (let r = tasks.row[i]!; r >= 0; r = rows.parent[r]!) {
        rows.lastLog[r] = ref;
        if (Number.isNaN(rows.firstStart[r]!)) rows.firstStart[r] = e.t;
      }
      break;
    }
    case 'succeeded': {
      tasks.attempt[i] = e.attempt;
      const started = tasks.startedAt[i]!;
      const wall = e.outcome.wallMs ?? (Number.isNaN(started) ? undefined : e.t - started);
      if (wall !== undefined) {
        const rt = tasks.runtimeS[i]!;
        if (!Number.isNaN(rt)) {
          s.observedWallMs += wall;
          s.observedDeclaredMs += rt * 1000;
          const r = tasks.row[i]!;
          s.rowObservedWallMs[r] = s.rowObservedWallMs[r]! + wall;
          s.rowObservedDeclaredMs[r] = s.rowObservedDeclaredMs[r]! + rt * 1000;
          if (!s.observedRows.has(r)) {
            s.observedRows.add(r);
            s.unobservedRemainingMs -= s.rowRemainingMs[r]!;
          }
        }
        s.observedAllWallMs += wall;
        s.observedAllCount++;
      }
      countDone(s, e.t);
      break;
    }
    case 'failed': {
      tasks.attempt[i] = e.attempt;
      const logs = e.logs ?? tasks.logs.get(i);
      if (e.retryIn !== undefined) {
        s.retried++;
        if (e.escalation) {
          const steps = s.escalations.get(e.id);
          if (steps) steps.push(e.escalation);
          else if (s.escalations.size < MAX_ESCALATED) s.escalations.set(e.id, [e.escalation]);
        }
        break;
      }
      const failure: FailureRecord = {
        id: e.id,
        row: tasks.row[i]!,
        attempt: e.attempt,
        kind: e.failure,
        message: e.message,
        t: e.t,
        ...(logs ? { logs } : {}),
      };
      s.failures.push(failure);
      if (s.failures.length > MAX_FAILURES) s.failures.shift();
      s.failuresTotal++;
      if (logs) {
        const ref: LogRef = { taskId: e.id, out: logs.out, err: logs.err };
        for (let r = tasks.row[i]!; r >= 0; r = rows.parent[r]!) rows.lastFailureLog[r] = ref;
      }
      if (s.failureLines < MAX_FAILURE_LINES) {
        s.finished.push({ key: s.finished.length, kind: 'failure', failure });
      } else if (s.failureLines === MAX_FAILURE_LINES) {
        s.finished.push({
          key: s.finished.length,
          kind: 'note',
          text: `further failures are not listed here; see \`campaign status\``,
        });
      }
      s.failureLines++;
      countDone(s, e.t);
      break;
    }
    case 'skipped':
    case 'cancelled':
      break;
  }
  move(s, i, STATE_INDEX[stateAfter(e)], e.t);
}

function countDone(s: DashboardState, t: number): void {
  const sec = Math.floor(t / 1000);
  const b = sec % THROUGHPUT_WINDOW_S;
  if (s.doneSecond[b] !== sec) {
    s.doneSecond[b] = sec;
    s.doneBySecond[b] = 0;
  }
  s.doneBySecond[b]!++;
}

function move(s: DashboardState, i: number, to: number, t: number): void {
  const { tasks, rows } = s;
  const from = tasks.state[i]!;
  if (from === to) return;
  tasks.state[i] = to;
  s.counts[from]!--;
  s.counts[to]!++;
  for (let r = tasks.row[i]!; r >= 0; r = rows.parent[r]!) {
    rows.counts[r * STATES + from]!--;
    rows.counts[r * STATES + to]!++;
  }
  const wasRemaining = from <= QUEUED;
  const isRemaining = to <= QUEUED;
  if (wasRemaining !== isRemaining) addRemaining(s, i, isRemaining ? 1 : -1);
  if (from === RUNNING) s.running.delete(i);
  if (to === RUNNING) s.running.add(i);
  if (to === PENDING || to >= SUCCEEDED) {
    tasks.where.delete(i);
    tasks.logs.delete(i);
  }
  if (to >= SUCCEEDED) announceCompleted(s, i, t);
}

/** Writes a scroll-back line for each row the task's end completed (node first, then its groups). */
function announceCompleted(s: DashboardState, i: number, t: number): void {
  const { rows } = s;
  for (let r = s.tasks.row[i]!; r >= 0; r = rows.parent[r]!) {
    const b = r * STATES;
    if (rows.announced[r] || rows.counts[b]! + rows.counts[b + 1]! + rows.counts[b + 2]! > 0) return;
    rows.announced[r] = 1;
    if (s.rowLines < MAX_ROW_LINES) {
      const start = rows.firstStart[r]!;
      s.finished.push({
        key: s.finished.length,
        kind: 'row',
        row: r,
        counts: Array.from(rows.counts.subarray(b, b + STATES)),
        durationMs: Number.isNaN(start) ? undefined : t - start,
      });
    } else if (s.rowLines === MAX_ROW_LINES) {
      s.finished.push({
        key: s.finished.length,
        kind: 'note',
        text: 'further finished work is not listed here',
      });
    }
    s.rowLines++;
  }
}

/** Tasks per state as a record (for views and tests). */
export function countsOf(counts: ArrayLike<number>, offset = 0): Record<TaskState, number> {
  const out = {} as Record<TaskState, number>;
  TASK_STATES.forEach((st, k) => {
    out[st] = counts[offset + k]!;
  });
  return out;
}

/** Tasks per state in one row of the tree. */
export function rowCounts(state: DashboardState, row: number): Record<TaskState, number> {
  return countsOf(state.rows.counts, row * STATES);
}

/** The state of one task by id (for tests and the log panel). */
export function taskState(state: DashboardState, id: string): TaskState | undefined {
  const i = state.tasks.index.get(id);
  return i === undefined ? undefined : TASK_STATES[state.tasks.state[i]!];
}
