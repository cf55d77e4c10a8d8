import type { Campaign } from '../model/campaign.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import {
  type Handle,
  placementOf,
  type SchedulerAdapter,
  type Submission,
  type Update,
} from '../schedulers/contract.js';
import {
  type Admission,
  type AdmissionHost,
  type Capacity,
  EngineAdmission,
  ignore,
  SchedulerAdmission,
} from './admission.js';
import { Board, CANCEL, CHECK, FAIL, LAUNCH, OK, OUT, READY, RETRY, RUN, WAIT } from './board.js';
import { Cascade, type CascadeHost } from './cascade.js';
import { type EngineEvent, type Outcome, type RunStatus, runStatus, type TaskEventBody } from './events.js';
import { Limits } from './limits.js';
import { type AttemptLayout, AttemptPreparer } from './prepare.js';
import { Priorities } from './priority.js';
import { ReadyQueue } from './ready-queue.js';
import type { Orphan, RecordedTasks } from './recovery.js';
import { attemptRequest } from './request.js';
import { defaultCap, type Failed, nextAttempt, type Request, type RequestCap } from './retry.js';
import { Action, type RunPlan } from './select.js';
import { adoptAndList, announce, countDependencies, type StartHost } from './start.js';
import { verify } from './verify.js';

export type { Capacity } from './admission.js';

export interface EngineConfig {
  readonly campaign: Campaign;
  readonly graph: TaskGraph;
  readonly plan: RunPlan;
  /** The recorded state: which attempts an earlier head left under way. */
  readonly store: RecordedTasks;
  /** Where attempts keep their files. */
  readonly paths: AttemptLayout;
  readonly runId: string;
  readonly adapter: SchedulerAdapter;
  /** Every event goes here; the CLI fans it out to the journal, the log and the view. */
  readonly emit: (e: EngineEvent) => void;
  readonly capacity: Capacity;
  /** What a task's escalated request may grow to (its partition's limits); locally, the run's memory. */
  readonly requestCap?: (t: TaskSpec) => RequestCap;
  readonly failFast: boolean;
  /** Batch schedulers: hand everything over and end without waiting for it to run. */
  readonly detach?: boolean;
  readonly now?: () => number;
}

/**
 * The engine's state machine: tasks move from waiting to ended by the scheduler's updates and
 * the retry and failure policies, each move an event; admission, preparation, verification and
 * retries live in the modules beside it. It never prints.
 */
export class Engine implements AdmissionHost, CascadeHost, StartHost {
  readonly graph: TaskGraph;
  readonly board: Board;
  readonly ready: ReadyQueue;
  private readonly priorities: Priorities;
  readonly adapter: SchedulerAdapter;
  readonly limits: Limits;
  readonly handles = new Map<number, Handle>();
  active = 0;
  cancelling = false;
  private readonly admission: Admission & { orphan(v: number): void };
  private readonly preparer: AttemptPreparer;
  private readonly cascade: Cascade;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Attempts left running by an earlier head: the run that started them. */
  private readonly orphanRun = new Map<number, string>();
  /** Times a task ran again on none of its retries (lost, node failure, preemption). */
  private readonly requeued = new Map<number, number>();
  /** Requests grown by escalation after an oom or a timeout. */
  private readonly requests = new Map<number, Request>();
  private leaving = false;
  private stopping = false;
  private halted = false;
  private anyFailed = false;
  private finished = false;
  private resolveDone: (s: RunStatus) => void = () => {};
  private readonly now: () => number;
  private readonly cap: (t: TaskSpec) => RequestCap;

  constructor(private readonly cfg: EngineConfig) {
    const { graph, adapter } = cfg;
    this.graph = graph;
    this.adapter = adapter;
    this.board = new Board(graph.tasks.length, cfg.plan.upToDate);
    this.limits = new Limits(cfg.campaign);
    this.preparer = new AttemptPreparer(cfg.campaign, cfg.runId, cfg.paths);
    this.admission =
      adapter.admission === 'scheduler' && adapter.nativeDependencies
        ? new SchedulerAdmission(this)
        : new EngineAdmission(this, cfg.capacity);
    this.cap = cfg.requestCap ?? defaultCap(adapter.admission, cfg.capacity.memory);
    this.cascade = new Cascade(this, this.admission);
    this.now = cfg.now ?? Date.now;
    this.priorities = new Priorities(graph);
    this.ready = new ReadyQueue(this.priorities.rank);
  }

  /** Runs to the end; resolves with how the run ended. */
  async run(): Promise<RunStatus> {
    const { plan, adapter } = this.cfg;
    const done = new Promise<RunStatus>((res) => (this.resolveDone = res));
    // Keeps the process alive while work runs in detached processes.
    const keepAlive = setInterval(() => {}, 60_000);
    adapter.start((updates) => this.onUpdates(updates));

    const { orphans, infos } = adoptAndList(this, this.admission, plan, this.cfg.store, this.cfg.paths);
    this.cfg.emit({
      type: 'run',
      reason: 'started',
      t: this.now(),
      runId: this.cfg.runId,
      campaign: this.cfg.campaign.name,
      scheduler: adapter.name,
      stateDir: this.cfg.paths.root,
      tasks: infos,
    });
    announce(orphans, (h) => placementOf(this.adapter, h), this.cfg.emit, this.now());
    countDependencies(this, this.admission, this.cascade);
    if (orphans.length > 0) await adapter.reattach(orphans.map((o) => o.handle));
    this.settle();
    const status = await done;
    clearInterval(keepAlive);
    return status;
  }

  /**
   * Leaves a batch scheduler to it: stops handing over, and ends the run as `detached` once the
   * hand-overs under way are recorded. What runs goes on; `watch` or `run` collects it later.
   */
  leave(): void {
    if (!this.admission.detachable || this.finished) return;
    this.leaving = true;
    this.stopping = true;
    this.maybeFinish();
  }

  /** Stops launching and cancels what runs. A second call does not wait for the grace period. */
  cancel(): void {
    const force = this.cancelling;
    this.cancelling = true;
    this.stop();
    if (!force) this.cfg.emit({ type: 'run', reason: 'cancelling', t: this.now(), runId: this.cfg.runId });
    const running = [...this.handles.values()];
    if (running.length > 0) this.adapter.cancel(running, { force }).catch(ignore);
    this.maybeFinish();
  }

  /**
   * Stops handing out work when the run cannot go on safely (its lock lost, its journal
   * unwritable); what runs is cancelled with `cancelRunning`, else left to finish. Ends `failed`.
   */
  halt(message: string, opts: { cancelRunning: boolean }): void {
    if (this.finished || this.halted) return;
    this.halted = true;
    this.stop();
    this.cfg.emit({ type: 'run', reason: 'halted', t: this.now(), runId: this.cfg.runId, message });
    const running = [...this.handles.values()];
    if (opts.cancelRunning && running.length > 0) this.adapter.cancel(running, { force: true }).catch(ignore);
    this.maybeFinish();
  }

  private stop(): void {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private emitTask(e: TaskEventBody): void {
    this.cfg.emit({ type: 'task', t: this.now(), ...e } as EngineEvent);
  }

  makeReady(v: number): void {
    this.board.st[v] = READY;
    this.ready.push(v);
  }

  settle(): void {
    if (!this.stopping) this.admission.pump();
    this.maybeFinish();
  }

  begin(v: number, after?: readonly Handle[]): Submission | undefined {
    const t = this.graph.tasks[v]!;
    const attempt = ++this.board.attempt[v]!;
    this.orphanRun.delete(v); // a new attempt is this run's own, even after an adopted one
    const p = this.preparer.prepare(t, attempt, after, this.requests.get(v));
    if (!p.ok) {
      this.fail(v, { failure: 'submit', message: p.message, outcome: {} }, false);
      return undefined;
    }
    this.board.st[v] = LAUNCH;
    this.hold(v, +1);
    const request = attemptRequest(p.submission, this.adapter.admission === 'scheduler');
    this.emitTask({ reason: 'queued', id: t.id, attempt, request });
    return p.submission;
  }

  reject(v: number, message: string): void {
    this.board.attempt[v]!++;
    this.fail(v, { failure: 'submit', message, outcome: {} }, false);
  }

  refused(v: number, message: string): void {
    this.release(v);
    this.fail(v, { failure: 'submit', message, outcome: {} }, true);
  }

  accepted(v: number, handle: Handle): void {
    this.handles.set(v, handle);
    const { taskId: id, attempt } = handle;
    this.emitTask({ reason: 'queued', id, attempt, where: placementOf(this.adapter, handle) });
  }

  withdrawn(v: number, handle: Handle): void {
    this.release(v);
    this.board.st[v] = CANCEL;
    this.emitTask({ reason: 'cancelled', id: handle.taskId, attempt: handle.attempt });
  }

  /** Counts (+1) or uncounts (-1) an attempt under way, with what it holds. */
  private hold(v: number, sign: 1 | -1): void {
    const t = this.graph.tasks[v]!;
    this.active += sign;
    this.limits.take(t, sign);
    this.admission.reserve(t, sign);
  }

  release(v: number): void {
    this.handles.delete(v);
    this.hold(v, -1);
  }

  private onUpdates(updates: readonly Update[]): void {
    for (const u of updates) this.onUpdate(u);
    this.settle();
  }

  private onUpdate(u: Update): void {
    const v = this.graph.indexOf.get(u.handle.taskId);
    if (v === undefined || u.handle.attempt !== this.board.attempt[v]) return;
    const s = this.board.st[v];
    switch (u.kind) {
      case 'queued':
        // A handle placed after a crash (its job id found in the scheduler) replaces the
        // recorded one, so what is handed over to wait for it names the job.
        this.handles.set(v, u.handle);
        return;
      case 'running': {
        if (s !== LAUNCH) return;
        this.board.st[v] = RUN;
        this.handles.set(v, u.handle);
        const { taskId: id, attempt, files } = u.handle;
        const where = u.where ?? placementOf(this.adapter, u.handle);
        const logs = { out: files.out, err: files.err };
        const fromRun = this.orphanRun.get(v);
        this.emitTask({ reason: 'started', id, attempt, where, logs, ...(fromRun ? { fromRun } : {}) });
        return;
      }
      case 'unsatisfiable':
        if (s === RUN || s === LAUNCH) this.cascade.heldInVain(v);
        return;
      case 'ended':
        if (s !== RUN && s !== LAUNCH) return;
        this.release(v);
        if (!u.failure) void this.complete(v, u.handle, u.outcome);
        else {
          const { failure, outcome, handle } = u;
          this.fail(v, { failure, message: u.message ?? failure, outcome, handle }, !this.cancelling);
        }
        return;
    }
  }

  /** A successful exit still has to show its outputs and pass its check. */
  private async complete(v: number, handle: Handle, outcome: Outcome): Promise<void> {
    const t = this.graph.tasks[v]!;
    // An attempt collected from an earlier head for a task this run does not include.
    const out = this.orphanRun.has(v) && this.cfg.plan.action[v] !== Action.Run;
    const fromRun = this.orphanRun.get(v);
    const origin = fromRun ? { fromRun } : {};
    this.orphanRun.delete(v);
    this.board.st[v] = CHECK;
    this.active++;
    const verdict = verify(t, handle, outcome, fromRun ?? this.cfg.runId);
    const failure = verdict instanceof Promise ? await verdict : verdict;
    this.active--;
    if (failure) {
      this.fail(v, { ...failure, outcome, handle, ...origin }, !this.cancelling);
    } else {
      this.board.st[v] = out ? OUT : OK;
      this.emitTask({ reason: 'succeeded', id: t.id, attempt: handle.attempt, outcome, ...origin });
      if (this.priorities.observe(v, outcome.wallMs)) this.ready.reorder();
      if (!out) this.releaseDependents(v);
    }
    this.settle();
  }

  private releaseDependents(v: number): void {
    for (const w of this.graph.dag.successors(v)) {
      if (this.board.st[w] !== WAIT || !this.admission.countsFor(v, w)) continue;
      if (--this.board.remaining[w]! === 0) this.makeReady(w);
    }
  }

  private fail(v: number, f: Failed, mayRetry: boolean): void {
    const { board } = this;
    const t = this.graph.tasks[v]!;
    const attempt = board.attempt[v]!;
    const fromRun = f.fromRun ?? this.orphanRun.get(v);
    this.orphanRun.delete(v);
    const origin = fromRun ? { fromRun } : {};
    if (f.failure === 'cancelled' && this.cancelling) {
      board.st[v] = CANCEL;
      this.emitTask({ reason: 'cancelled', id: t.id, attempt, ...origin });
      return;
    }
    const requeued = this.requeued.get(v) ?? 0;
    const current = this.requests.get(v);
    const may = { mayRetry: mayRetry && !this.stopping, current, cap: this.cap(t), requeued };
    const next = nextAttempt(t, { ...f, attempt }, { ...may, failures: board.failures[v]! + 1 });
    if (next.kind === 'again') this.requeued.set(v, requeued + 1);
    else board.failures[v]!++;
    if (next.request) this.requests.set(v, next.request);
    const h = next.kind === 'again' ? undefined : f.handle;
    this.emitTask({
      reason: 'failed',
      id: t.id,
      attempt,
      outcome: f.outcome,
      failure: f.failure,
      message: next.message,
      ...(next.delay !== undefined ? { retryIn: next.delay } : {}),
      ...(next.step ? { escalation: next.step } : {}),
      ...(h ? { logs: { out: h.files.out, err: h.files.err } } : {}),
      ...origin,
    });
    this.handles.delete(v);
    // What was handed over to wait for this attempt waits in vain: take it back.
    this.admission.failed(v, next.kind !== 'final');
    if (next.kind === 'again') this.makeReady(v);
    else if (next.kind === 'retry') this.later(v, next.delay ?? 0);
    else this.failedForGood(v);
  }

  private failedForGood(v: number): void {
    this.board.st[v] = FAIL;
    this.anyFailed = true;
    if (this.cfg.failFast) this.stopping = true;
    this.cascade.failed(v);
  }

  /** v's retry, after its backoff. */
  private later(v: number, delay: number): void {
    this.board.st[v] = RETRY;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) this.makeReady(v);
      this.settle();
    }, delay * 1000);
    this.timers.add(timer);
  }

  skipped(w: number, upstream: string, message: string): void {
    this.emitTask({ reason: 'skipped', id: this.graph.tasks[w]!.id, upstream, message });
  }

  adopt(o: Orphan): void {
    this.orphanRun.set(o.v, o.fromRun);
    this.hold(o.v, +1);
  }

  private maybeFinish(): void {
    if (this.finished || this.admission.inflight > 0) return;
    const leave =
      this.leaving ||
      (this.cfg.detach === true && this.admission.detachable && !this.stopping && this.ready.size === 0);
    if (!leave) {
      if (this.active > 0) return;
      if (!this.stopping && (this.ready.size > 0 || this.timers.size > 0)) return;
    }
    this.finished = true;
    const counts = this.board.counts();
    const detached = this.cfg.detach === true || this.leaving;
    const stop = { halted: this.halted, cancelled: this.cancelling, failed: this.anyFailed, detached };
    const status = runStatus(stop, counts);
    this.cfg.emit({ type: 'run', reason: 'finished', t: this.now(), runId: this.cfg.runId, status, counts });
    void this.adapter.close();
    this.resolveDone(status);
  }
}
