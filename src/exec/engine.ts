import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Campaign, FailureKind, NodeSpec } from '../model/campaign.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import type { EndFailure, Handle, SchedulerAdapter, Submission, Update } from '../schedulers/contract.js';
import type { StatePaths } from '../state/paths.js';
import type { StateStore } from '../state/store.js';
import { runCheck } from './check.js';
import {
  type EngineEvent,
  type Outcome,
  type RunStatus,
  TASK_STATES,
  type TaskInfo,
  type TaskState,
  taskInfo,
} from './events.js';
import { missingOutputs } from './outputs.js';
import { ReadyQueue, remainingPath } from './ready-queue.js';
import { Action, type RunPlan } from './select.js';

/** What the machine (or `--cores`, `--memory`, `--max-parallel`) lets the engine use at once. */
export interface Capacity {
  readonly cores: number;
  /** MiB. */
  readonly memory: number;
  readonly maxParallel: number;
}

export interface EngineConfig {
  readonly campaign: Campaign;
  readonly graph: TaskGraph;
  readonly plan: RunPlan;
  readonly store: StateStore;
  readonly paths: StatePaths;
  readonly runId: string;
  readonly adapter: SchedulerAdapter;
  /** Every event goes here; the CLI fans it out to the journal, the log and the view. */
  readonly emit: (e: EngineEvent) => void;
  readonly capacity: Capacity;
  readonly failFast: boolean;
  /** Batch schedulers: hand everything over and end without waiting for it to run. */
  readonly detach?: boolean;
  readonly now?: () => number;
}

// Engine-side task states; the public TaskState is derived from them.
const WAIT = 0; // dependencies not done
const READY = 1; // in the ready queue
const RETRY = 2; // waiting out a retry backoff
const LAUNCH = 3; // handed to the scheduler
const RUN = 4; // running
const CHECK = 5; // ended well, outputs being checked
const OK = 6;
const FAIL = 7;
const SKIP = 8;
const CANCEL = 9;
const OUT = 10; // not part of this run

/** A `max_parallel` bound: at most `max` attempts under `key` (a node or group id) at once. */
interface Limit {
  readonly key: string;
  readonly max: number;
}

/** How often an attempt that vanished without a result is started again. */
const LOST_RETRIES = 3;

/**
 * The engine loop: admits ready tasks by priority and free resources, hands them to the
 * scheduler adapter, reacts to its updates, applies retry and failure policies, and reports
 * everything as events. It never prints and never touches the terminal.
 */
export class Engine {
  private readonly n: number;
  private readonly st: Uint8Array;
  private readonly remaining: Int32Array;
  private readonly attempt: Int32Array;
  private readonly handles = new Map<number, Handle>();
  private readonly ready: ReadyQueue;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Attempts under way per `max_parallel` key (a node, or a group bounding its tasks together). */
  private readonly perKey = new Map<string, number>();
  /** The `max_parallel` bounds of each node: its own and its groups'. */
  private readonly limitsOf = new Map<string, readonly Limit[]>();
  private readonly madeDirs = new Set<string>();
  /** Attempts left running by an earlier head: the run that started them. */
  private readonly orphanRun = new Map<number, string>();
  private readonly lost = new Map<number, number>();
  /** Failures that count against the retry policy (a resubmission after a reset does not). */
  private readonly failures: Int32Array;
  /**
   * Batch schedulers with native dependencies: a task is handed over as soon as what it
   * depends on is handed over too, with the dependencies attached. `released[p]` says that
   * p's hand-over has already been counted for its successors.
   */
  private readonly native: boolean;
  private readonly released: Uint8Array;
  private inflight = 0;
  private leaving = false;
  private freeCores: number;
  private freeMemory: number;
  private active = 0;
  private stopping = false;
  private cancelling = false;
  private anyFailed = false;
  private halted = false;
  private finished = false;
  private resolveDone: (s: RunStatus) => void = () => {};
  private readonly now: () => number;

  constructor(private readonly cfg: EngineConfig) {
    const { graph } = cfg;
    this.n = graph.tasks.length;
    this.st = new Uint8Array(this.n);
    this.remaining = new Int32Array(this.n);
    this.attempt = new Int32Array(this.n);
    this.failures = new Int32Array(this.n);
    this.released = new Uint8Array(this.n);
    this.native = cfg.adapter.admission === 'scheduler' && cfg.adapter.nativeDependencies;
    this.now = cfg.now ?? Date.now;
    this.freeCores = cfg.capacity.cores;
    this.freeMemory = cfg.capacity.memory;
    const rank = remainingPath(
      graph.order,
      (v) => graph.dag.successors(v),
      (v) => graph.tasks[v]!.resources.runtime ?? 1,
    );
    this.ready = new ReadyQueue(rank);
  }

  /** Runs to the end; resolves with how the run ended. */
  async run(): Promise<RunStatus> {
    const { graph, plan, store, adapter } = this.cfg;
    const done = new Promise<RunStatus>((res) => (this.resolveDone = res));
    // Keeps the process alive while work runs in detached processes.
    const keepAlive = setInterval(() => {}, 60_000);
    adapter.start((updates) => this.onUpdates(updates));

    // Attempts that a crashed head left behind are collected or watched, never started again.
    const orphans: Handle[] = [];
    for (let v = 0; v < this.n; v++) {
      const t = graph.tasks[v]!;
      const rec = store.tasks.get(t.id);
      if ((rec?.state === 'running' || rec?.state === 'queued') && rec.startRun) {
        const h: Handle = {
          taskId: t.id,
          attempt: rec.attempt,
          jobId: rec.jobId ?? '',
          ...(rec.startedAt ? { startedAt: rec.startedAt } : {}),
          files: this.cfg.paths.attempt(rec.startRun, t.id, rec.attempt),
        };
        orphans.push(h);
        this.orphanRun.set(v, rec.startRun);
        this.handles.set(v, h);
        this.attempt[v] = rec.attempt;
        this.st[v] = this.native && rec.state === 'queued' ? LAUNCH : RUN;
        if (this.native) this.released[v] = 1;
        this.active++;
        // Its end frees what it holds, as for an attempt this head started.
        this.take(t, +1);
      }
    }

    const infos: TaskInfo[] = [];
    for (let v = 0; v < this.n; v++) {
      const t = graph.tasks[v]!;
      const action = plan.action[v]!;
      if (this.st[v] === RUN || this.st[v] === LAUNCH) {
        infos.push(taskInfo(t, this.st[v] === RUN ? 'running' : 'queued'));
        continue;
      }
      if (action === Action.Done) {
        this.st[v] = OK;
        infos.push(taskInfo(t, 'succeeded'));
      } else if (action === Action.Excluded) {
        this.st[v] = OUT;
      } else {
        this.st[v] = WAIT;
        infos.push(taskInfo(t, 'pending'));
      }
    }
    this.emit({
      type: 'run',
      reason: 'started',
      t: this.now(),
      runId: this.cfg.runId,
      campaign: this.cfg.campaign.name,
      scheduler: adapter.name,
      stateDir: this.cfg.paths.root,
      tasks: infos,
    });
    for (const [v, fromRun] of this.orphanRun) {
      const h = this.handles.get(v)!;
      if (this.st[v] === LAUNCH) {
        this.emit({
          type: 'task',
          reason: 'queued',
          t: this.now(),
          id: h.taskId,
          attempt: h.attempt,
          where: { jobId: h.jobId },
        });
        continue;
      }
      const where = adapter.name === 'local' ? { pid: Number(h.jobId) } : { jobId: h.jobId };
      this.emit({
        type: 'task',
        reason: 'started',
        t: this.now(),
        id: h.taskId,
        attempt: h.attempt,
        where,
        logs: { out: h.files.out, err: h.files.err },
        fromRun,
      });
    }

    // Count unfinished dependencies; tasks whose upstream can never finish are skipped now.
    for (const v of graph.order) {
      if (this.st[v] !== WAIT) continue;
      let blockedBy = -1;
      let count = 0;
      for (const p of graph.dag.predecessors(v)) {
        const s = this.st[p]!;
        if (s === OK) continue;
        if (s === OUT && plan.upToDate[p]) continue;
        if (this.handedOver(p, v)) continue;
        if (s === OUT || s === SKIP) {
          blockedBy = p;
          break;
        }
        count++;
      }
      if (blockedBy >= 0) {
        const up = graph.tasks[blockedBy]!.id;
        const msg =
          this.st[blockedBy] === OUT
            ? `upstream ${up} is not done and not selected`
            : `upstream ${up} was skipped`;
        this.skip(v, up, msg);
        continue;
      }
      this.remaining[v] = count;
      if (count === 0) this.makeReady(v);
    }
    if (orphans.length > 0) await adapter.reattach(orphans);
    this.pump();
    this.maybeFinish();
    const status = await done;
    clearInterval(keepAlive);
    return status;
  }

  /**
   * Leaves a batch scheduler to it: stops handing over, and ends the run as `detached` once the
   * hand-overs under way are recorded. What runs goes on; `watch` or `run` collects it later.
   */
  leave(): void {
    if (!this.native || this.finished) return;
    this.leaving = true;
    this.stopping = true;
    this.maybeFinish();
  }

  /** Stops launching and cancels what runs. A second call does not wait for the grace period. */
  cancel(): void {
    const force = this.cancelling;
    this.cancelling = true;
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!force) this.emit({ type: 'run', reason: 'cancelling', t: this.now(), runId: this.cfg.runId });
    const running = [...this.handles.values()];
    if (running.length > 0) void this.cfg.adapter.cancel(running, { force });
    this.maybeFinish();
  }

  /**
   * Stops handing out work because the run cannot go on safely: its lock is gone or belongs to
   * another head, or its journal cannot be written. With `cancelRunning`, what runs is stopped
   * too (its end could not be recorded); otherwise it is left to finish and is recorded. The
   * run ends as `failed`.
   */
  halt(message: string, opts: { cancelRunning: boolean }): void {
    if (this.finished || this.halted) return;
    this.halted = true;
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.emit({ type: 'run', reason: 'halted', t: this.now(), runId: this.cfg.runId, message });
    if (opts.cancelRunning) {
      const running = [...this.handles.values()];
      if (running.length > 0) void this.cfg.adapter.cancel(running, { force: true });
    }
    this.maybeFinish();
  }

  private emit(e: EngineEvent): void {
    this.cfg.emit(e);
  }

  private makeReady(v: number): void {
    this.st[v] = READY;
    this.ready.push(v);
  }

  /** Launches ready tasks while they fit; a task that does not fit lets smaller ones go first. */
  private pump(): void {
    if (this.stopping) return;
    if (this.native) {
      // The scheduler queues and admits: hand over everything that is ready, in one batch.
      // A group's max_parallel has no native form: the engine bounds what it hands over.
      const batch: number[] = [];
      const held: number[] = [];
      while (this.ready.size > 0) {
        const v = this.ready.pop()!;
        if (this.st[v] !== READY) continue;
        const t = this.cfg.graph.tasks[v]!;
        if (this.atLimit(t, true)) held.push(v);
        else {
          batch.push(v);
          this.take(t, +1, true);
        }
      }
      for (const v of batch) this.take(this.cfg.graph.tasks[v]!, -1, true);
      for (const v of held) this.ready.push(v);
      if (batch.length > 0) this.submitBatch(batch);
      return;
    }
    const { capacity } = this.cfg;
    const deferred: number[] = [];
    // Look past a task that does not fit for smaller ones, but not far: most runs are uniform.
    while (
      this.ready.size > 0 &&
      this.active < capacity.maxParallel &&
      deferred.length < 16 &&
      this.freeCores > 0
    ) {
      const v = this.ready.pop()!;
      if (this.st[v] !== READY) continue;
      const t = this.cfg.graph.tasks[v]!;
      const r = t.resources;
      const mem = r.memory ?? 0;
      if (this.cfg.adapter.admission === 'engine' && (r.cores > capacity.cores || mem > capacity.memory)) {
        this.attempt[v] = this.attempt[v]! + 1;
        const what = r.cores > capacity.cores ? `${r.cores} cores` : `${mem}M of memory`;
        const have = r.cores > capacity.cores ? `${capacity.cores} cores` : `${capacity.memory}M`;
        this.fail(
          v,
          {
            failure: 'submit',
            message: `needs ${what}, but this run may use ${have} (see --cores, --memory)`,
            outcome: {},
          },
          false,
        );
        continue;
      }
      const fits =
        this.cfg.adapter.admission !== 'engine' || (r.cores <= this.freeCores && mem <= this.freeMemory);
      if (!fits || this.atLimit(t, false)) {
        deferred.push(v);
        continue;
      }
      this.launch(v);
    }
    for (const v of deferred) this.ready.push(v);
  }

  private launch(v: number): void {
    const sub = this.prepare(v);
    if (!sub) return;
    this.cfg.adapter.submit([sub]).then(
      ([res]) => {
        if (res && !res.ok && this.st[v] === LAUNCH) {
          this.release(v);
          this.fail(v, { failure: 'submit', message: res.message, outcome: {} }, true);
        }
      },
      (e: unknown) => {
        if (this.st[v] !== LAUNCH) return;
        this.release(v);
        this.fail(
          v,
          { failure: 'submit', message: `submission failed: ${(e as Error).message}`, outcome: {} },
          true,
        );
      },
    );
  }

  /** Hands a batch over to a batch scheduler, each task with the handles it must wait for. */
  private submitBatch(vs: number[]): void {
    const subs: Submission[] = [];
    const kept: number[] = [];
    for (const v of vs) {
      const sub = this.prepare(v, this.upstreamHandles(v));
      if (sub) {
        subs.push(sub);
        kept.push(v);
      }
    }
    if (subs.length === 0) return;
    this.inflight++;
    const attempts = kept.map((v) => this.attempt[v]!);
    const settle = (results: readonly ({ ok: true; handle: Handle } | { ok: false; message: string })[]) => {
      this.inflight--;
      kept.forEach((v, i) => {
        const res = results[i] ?? {
          ok: false as const,
          message: 'the scheduler gave no answer for this task',
        };
        const current = this.st[v] === LAUNCH && this.attempt[v] === attempts[i];
        if (!res.ok) {
          if (!current) return;
          this.release(v);
          this.fail(v, { failure: 'submit', message: res.message, outcome: {} }, true);
          return;
        }
        if (!current || this.cancelling) {
          // Cancelled or reset while the hand-over was under way: withdraw it.
          void this.cfg.adapter.cancel([res.handle]);
          if (current) {
            this.release(v);
            this.st[v] = CANCEL;
            this.emit({
              type: 'task',
              reason: 'cancelled',
              t: this.now(),
              id: res.handle.taskId,
              attempt: res.handle.attempt,
            });
          }
          return;
        }
        this.handles.set(v, res.handle);
        this.emit({
          type: 'task',
          reason: 'queued',
          t: this.now(),
          id: res.handle.taskId,
          attempt: res.handle.attempt,
          where: { jobId: res.handle.jobId },
        });
        this.handedOverNow(v);
      });
      this.pump();
      this.maybeFinish();
    };
    this.cfg.adapter
      .submit(subs)
      .then(settle, (e: unknown) =>
        settle(
          subs.map(() => ({ ok: false as const, message: `submission failed: ${(e as Error).message}` })),
        ),
      );
  }

  /** Handles of the dependencies of v that have not succeeded yet (they run before v, natively). */
  private upstreamHandles(v: number): Handle[] {
    const out: Handle[] = [];
    for (const p of this.cfg.graph.dag.predecessors(v)) {
      if (this.st[p] === OK) continue;
      const h = this.handles.get(p);
      if (h) out.push(h);
    }
    return out;
  }

  /** Whether p counts as done for v because the scheduler holds v until p succeeds. */
  private handedOver(p: number, v: number): boolean {
    return (
      this.native &&
      this.cfg.graph.tasks[v]!.node.runAfter === 'success' &&
      (this.st[p] === LAUNCH || this.st[p] === RUN) &&
      this.handles.has(p)
    );
  }

  /** p now has a handle: the successors that only wait for its hand-over may follow it. */
  private handedOverNow(p: number): void {
    this.released[p] = 1;
    for (const w of this.cfg.graph.dag.successors(p)) {
      if (this.st[w] !== WAIT || this.cfg.graph.tasks[w]!.node.runAfter !== 'success') continue;
      if (--this.remaining[w]! === 0) this.makeReady(w);
    }
  }

  /** Everything an attempt needs, with its files and folders made; undefined if it failed. */
  private prepare(v: number, after?: Handle[]): Submission | undefined {
    const { graph, paths, runId, campaign } = this.cfg;
    const t = graph.tasks[v]!;
    const attempt = ++this.attempt[v]!;
    const files = paths.attempt(runId, t.id, attempt);
    try {
      const dir = paths.tasksDir(runId);
      if (!this.madeDirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      if (!this.madeDirs.has(t.workdir)) {
        mkdirSync(t.workdir, { recursive: true });
        this.madeDirs.add(t.workdir);
      }
    } catch (e) {
      this.fail(
        v,
        { failure: 'submit', message: `cannot prepare ${t.workdir}: ${(e as Error).message}`, outcome: {} },
        false,
      );
      return undefined;
    }
    let manifest: string | undefined;
    if (t.items) {
      manifest = paths.items(runId, t.id);
      try {
        if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify(t.items)}\n`);
      } catch (e) {
        this.fail(
          v,
          {
            failure: 'submit',
            message: `cannot write the item manifest: ${(e as Error).message}`,
            outcome: {},
          },
          false,
        );
        return undefined;
      }
    }
    this.st[v] = LAUNCH;
    this.active++;
    this.take(t, +1);
    this.emit({ type: 'task', reason: 'queued', t: this.now(), id: t.id, attempt });
    const r = t.resources;
    return {
      taskId: t.id,
      attempt,
      command: t.command,
      setup: t.node.setup,
      env: {
        ...t.env,
        CAMPAIGN_NAME: campaign.name,
        CAMPAIGN_RUN_ID: runId,
        CAMPAIGN_TASK_ID: t.id,
        CAMPAIGN_NODE: t.node.id,
        CAMPAIGN_ATTEMPT: String(attempt),
        CAMPAIGN_CORES: String(r.cores),
        ...(r.memory !== undefined ? { CAMPAIGN_MEMORY_MB: String(r.memory) } : {}),
        CAMPAIGN_DIR: campaign.dir,
        ...(manifest ? { CAMPAIGN_ITEMS: manifest } : {}),
        ...(t.index !== undefined ? { CAMPAIGN_TASK_INDEX: String(t.index) } : {}),
      },
      workdir: t.workdir,
      resources: r,
      options: t.node.scheduler,
      ...(t.limit !== undefined ? { limit: t.limit } : {}),
      files,
      jobName: `${campaign.name}.${runId}.${t.id}`,
      ...(after && after.length > 0 ? { after } : {}),
      ...(t.node.maxParallel !== undefined ? { throttle: { key: t.node.id, max: t.node.maxParallel } } : {}),
      ...(t.outputs.length > 0 || t.check !== undefined
        ? { verify: { outputs: t.outputs, ...(t.check !== undefined ? { check: t.check } : {}) } }
        : {}),
    };
  }

  /** Reserves (+1) or frees (-1) a task's cores, memory and `max_parallel` slots. */
  private take(t: TaskSpec, sign: 1 | -1, slotsOnly = false): void {
    if (!slotsOnly) {
      this.freeCores -= sign * t.resources.cores;
      this.freeMemory -= sign * (t.resources.memory ?? 0);
    }
    for (const l of this.limits(t)) this.perKey.set(l.key, (this.perKey.get(l.key) ?? 0) + sign);
  }

  /**
   * Whether one more attempt of t would exceed a `max_parallel` bound. On a batch scheduler
   * the node's own bound is the scheduler's (`%N` on its array); its groups' are the engine's.
   */
  private atLimit(t: TaskSpec, groupsOnly: boolean): boolean {
    for (const l of this.limits(t)) {
      if (groupsOnly && l.key === t.node.id) continue;
      if ((this.perKey.get(l.key) ?? 0) >= l.max) return true;
    }
    return false;
  }

  private limits(t: TaskSpec): readonly Limit[] {
    let ls = this.limitsOf.get(t.node.id);
    if (!ls) {
      const found: Limit[] = [];
      for (
        let n: NodeSpec | undefined = t.node;
        n;
        n = n.parent ? this.cfg.campaign.nodes.get(n.parent) : undefined
      ) {
        if (n.maxParallel !== undefined) found.push({ key: n.id, max: n.maxParallel });
      }
      ls = found;
      this.limitsOf.set(t.node.id, ls);
    }
    return ls;
  }

  private release(v: number): void {
    this.active--;
    this.handles.delete(v);
    this.take(this.cfg.graph.tasks[v]!, -1);
  }

  private onUpdates(updates: readonly Update[]): void {
    for (const u of updates) this.onUpdate(u);
    this.pump();
    this.maybeFinish();
  }

  private onUpdate(u: Update): void {
    const v = this.cfg.graph.indexOf.get(u.handle.taskId);
    if (v === undefined || u.handle.attempt !== this.attempt[v]) return;
    const t = this.cfg.graph.tasks[v]!;
    switch (u.kind) {
      case 'queued':
        // A handle placed after a crash (its job id found in the scheduler) replaces the
        // recorded one, so what is handed over to wait for it names the job.
        this.handles.set(v, u.handle);
        return;
      case 'running': {
        if (this.st[v] !== LAUNCH) return;
        this.st[v] = RUN;
        this.handles.set(v, u.handle);
        const pid = this.cfg.adapter.name === 'local' ? Number(u.handle.jobId) : undefined;
        const where = u.where ?? {
          ...(pid ? { pid } : { jobId: u.handle.jobId }),
          ...(u.host ? { host: u.host } : {}),
        };
        this.emit({
          type: 'task',
          reason: 'started',
          t: this.now(),
          id: t.id,
          attempt: u.handle.attempt,
          where,
          logs: { out: u.handle.files.out, err: u.handle.files.err },
        });
        return;
      }
      case 'unsatisfiable':
        if (this.st[v] === RUN || this.st[v] === LAUNCH) this.heldInVain(v);
        return;
      case 'ended': {
        if (this.st[v] !== RUN && this.st[v] !== LAUNCH) return;
        if (u.outcome.schedulerState === 'DependencyNeverSatisfied') {
          this.heldInVain(v);
          return;
        }
        this.release(v);
        if (u.failure) {
          this.fail(
            v,
            { failure: u.failure, message: u.message ?? u.failure, outcome: u.outcome, handle: u.handle },
            !this.cancelling,
          );
          return;
        }
        void this.complete(v, u.handle, u.outcome);
        return;
      }
    }
  }

  /** A successful exit still has to show its outputs and pass its check. */
  private async complete(v: number, handle: Handle, outcome: Outcome): Promise<void> {
    const t = this.cfg.graph.tasks[v]!;
    // An attempt collected from an earlier head for a task this run does not include.
    const out = this.orphanRun.has(v) && this.cfg.plan.action[v] !== Action.Run;
    const fromRun = this.orphanRun.get(v);
    this.orphanRun.delete(v);
    this.st[v] = CHECK;
    this.active++;
    // Verified where it ran (inside a batch job): the engine does not check again.
    const missing = t.outputs.length > 0 && !outcome.verified ? missingOutputs(t.workdir, t.outputs) : [];
    let failure: { failure: 'outputs' | 'check'; message: string } | undefined;
    if (missing.length > 0) {
      failure = {
        failure: 'outputs',
        message: `missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      };
    } else if (t.check !== undefined && !outcome.verified) {
      const code = await runCheck(t.check, {
        cwd: t.workdir,
        env: { ...process.env, ...t.env },
        log: handle.files.err.replace(/\.err$/, '.check'),
      });
      if (code !== 0) failure = { failure: 'check', message: `check failed (exit code ${code})` };
    }
    this.active--;
    if (failure) {
      this.fail(v, { ...failure, outcome, handle, ...(fromRun ? { fromRun } : {}) }, !this.cancelling);
    } else {
      this.st[v] = out ? OUT : OK;
      this.emit({
        type: 'task',
        reason: 'succeeded',
        t: this.now(),
        id: t.id,
        attempt: handle.attempt,
        outcome,
        ...(fromRun ? { fromRun } : {}),
      });
      if (!out) this.releaseDependents(v);
    }
    this.pump();
    this.maybeFinish();
  }

  private releaseDependents(v: number): void {
    const { graph } = this.cfg;
    for (const w of graph.dag.successors(v)) {
      if (this.st[w] !== WAIT) continue;
      // Already counted when v was handed over (the scheduler held w for v).
      if (this.released[v] && graph.tasks[w]!.node.runAfter === 'success') continue;
      if (--this.remaining[w]! === 0) this.makeReady(w);
    }
  }

  private fail(
    v: number,
    f: {
      failure: EndFailure | 'submit';
      message: string;
      outcome: Outcome;
      handle?: Handle;
      fromRun?: string;
    },
    mayRetry: boolean,
  ): void {
    const t = this.cfg.graph.tasks[v]!;
    const attempt = this.attempt[v]!;
    const fromRun = f.fromRun ?? this.orphanRun.get(v);
    this.orphanRun.delete(v);
    const origin = fromRun ? { fromRun } : {};
    if (f.failure === 'cancelled' && this.cancelling) {
      this.st[v] = CANCEL;
      this.emit({ type: 'task', reason: 'cancelled', t: this.now(), id: t.id, attempt, ...origin });
      return;
    }
    if (f.failure === 'lost' && mayRetry && !this.stopping && (this.lost.get(v) ?? 0) < LOST_RETRIES) {
      // The attempt vanished without a result (a crash, or it never started): run it again;
      // this is not the task's failure, so it uses none of its retries.
      this.lost.set(v, (this.lost.get(v) ?? 0) + 1);
      this.emit({
        type: 'task',
        reason: 'failed',
        t: this.now(),
        id: t.id,
        attempt,
        outcome: f.outcome,
        failure: 'lost',
        message: f.message,
        retryIn: 0,
        ...origin,
      });
      this.makeReady(v);
      return;
    }
    const policy = t.node.retries;
    const kind: FailureKind =
      f.failure === 'outputs' || f.failure === 'check' || f.failure === 'submit' ? 'failed' : f.failure;
    const failures = ++this.failures[v]!;
    const retry = mayRetry && !this.stopping && failures <= policy.count && policy.on.includes(kind);
    const delay = retry ? policy.backoff * 2 ** (attempt - 1) : undefined;
    const logs = f.handle ? { out: f.handle.files.out, err: f.handle.files.err } : undefined;
    this.emit({
      type: 'task',
      reason: 'failed',
      t: this.now(),
      id: t.id,
      attempt,
      outcome: f.outcome,
      failure: f.failure,
      message: f.message,
      ...(delay !== undefined ? { retryIn: delay } : {}),
      ...(logs ? { logs } : {}),
      ...origin,
    });
    this.handles.delete(v);
    this.released[v] = 0;
    if (delay !== undefined) {
      // What was handed over to wait for this attempt waits in vain: take it back.
      if (this.native) this.resetDownstream(v);
      this.st[v] = RETRY;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.stopping) return this.maybeFinish();
        this.makeReady(v);
        this.pump();
        this.maybeFinish();
      }, delay * 1000);
      this.timers.add(timer);
      return;
    }
    this.st[v] = FAIL;
    this.anyFailed = true;
    if (this.cfg.failFast) this.stopping = true;
    // Dependents that need success are skipped; those that run after anything count this as done.
    const { graph } = this.cfg;
    for (const w of graph.dag.successors(v)) {
      if (!this.waiting(w)) continue;
      if (graph.tasks[w]!.node.runAfter === 'any') {
        if (this.st[w] === WAIT && --this.remaining[w]! === 0) this.makeReady(w);
      } else {
        this.skip(w, t.id, `upstream ${t.id} failed`);
      }
    }
  }

  /**
   * The scheduler gave up a task held for a dependency that failed (possibly under an earlier
   * head). If that dependency failed for good the task is skipped; if it runs again the task
   * waits for it anew.
   */
  private heldInVain(v: number): void {
    const { graph } = this.cfg;
    this.release(v);
    this.released[v] = 0;
    this.st[v] = WAIT;
    let count = 0;
    for (const p of graph.dag.predecessors(v)) {
      const s = this.st[p]!;
      if (s === FAIL || s === SKIP || (s === OUT && !this.cfg.plan.upToDate[p])) {
        this.skip(v, graph.tasks[p]!.id, `upstream ${graph.tasks[p]!.id} failed`);
        return;
      }
      if (s === OK || (s === OUT && this.cfg.plan.upToDate[p]) || this.handedOver(p, v)) continue;
      count++;
    }
    this.remaining[v] = count;
    if (count === 0) this.makeReady(v);
  }

  /** Not started on its own: waiting, ready, or (natively) held by the scheduler for a dependency. */
  private waiting(w: number): boolean {
    const s = this.st[w]!;
    return s === WAIT || s === READY || (this.native && s === LAUNCH);
  }

  /**
   * A dependency will be retried under a new job: everything handed over to wait for it is
   * withdrawn and waits again, to be handed over with the new job.
   */
  private resetDownstream(v: number): void {
    const { graph } = this.cfg;
    const reset: number[] = [];
    const seen = new Set<number>([v]);
    const stack = [v];
    while (stack.length > 0) {
      const u = stack.pop()!;
      for (const w of graph.dag.successors(u)) {
        if (seen.has(w) || !this.waiting(w)) continue;
        seen.add(w);
        reset.push(w);
        stack.push(w);
      }
    }
    const withdraw: Handle[] = [];
    for (const w of reset) {
      const h = this.handles.get(w);
      if (this.st[w] === LAUNCH) {
        if (h) withdraw.push(h);
        this.release(w);
      }
      this.st[w] = WAIT;
      this.released[w] = 0;
    }
    if (withdraw.length > 0) void this.cfg.adapter.cancel(withdraw);
    for (const w of graph.order) {
      if (!seen.has(w) || w === v) continue;
      let count = 0;
      for (const p of graph.dag.predecessors(w)) {
        if (this.st[p] === OK || (this.st[p] === OUT && this.cfg.plan.upToDate[p]) || this.handedOver(p, w))
          continue;
        count++;
      }
      this.remaining[w] = count;
      if (count === 0) this.makeReady(w);
    }
  }

  /** Marks a task and everything that needs it as skipped. */
  private skip(v: number, upstream: string, message: string): void {
    const { graph } = this.cfg;
    const withdraw: Handle[] = [];
    const mark = (w: number, up: string, msg: string) => {
      if (this.st[w] === LAUNCH) {
        // Held by the scheduler for a dependency that will never succeed.
        const h = this.handles.get(w);
        if (h) withdraw.push(h);
        this.release(w);
      }
      this.st[w] = SKIP;
      this.emit({
        type: 'task',
        reason: 'skipped',
        t: this.now(),
        id: graph.tasks[w]!.id,
        upstream: up,
        message: msg,
      });
    };
    mark(v, upstream, message);
    const stack = [v];
    while (stack.length > 0) {
      const u = stack.pop()!;
      for (const w of graph.dag.successors(u)) {
        if (!this.waiting(w)) continue;
        if (graph.tasks[w]!.node.runAfter === 'any') {
          if (this.st[w] === WAIT && --this.remaining[w]! === 0) this.makeReady(w);
          continue;
        }
        const id = graph.tasks[u]!.id;
        mark(w, id, `upstream ${id} was skipped`);
        stack.push(w);
      }
    }
    if (withdraw.length > 0) void this.cfg.adapter.cancel(withdraw);
  }

  private maybeFinish(): void {
    if (this.finished || this.inflight > 0) return;
    const detached =
      this.leaving || (this.cfg.detach === true && this.native && !this.stopping && this.ready.size === 0);
    if (!detached) {
      if (this.active > 0) return;
      if (!this.stopping && (this.ready.size > 0 || this.timers.size > 0)) return;
    }
    this.finished = true;
    const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    for (let v = 0; v < this.n; v++) {
      const s = this.st[v]!;
      if (s === OUT) continue;
      counts[publicState(s)]++;
    }
    const status: RunStatus = this.halted
      ? 'failed'
      : this.cancelling
        ? 'cancelled'
        : this.anyFailed || counts.skipped > 0
          ? 'failed'
          : counts.queued + counts.running > 0 && (this.cfg.detach || this.leaving)
            ? 'detached'
            : counts.pending > 0
              ? 'failed'
              : 'succeeded';
    this.emit({ type: 'run', reason: 'finished', t: this.now(), runId: this.cfg.runId, status, counts });
    void this.cfg.adapter.close();
    this.resolveDone(status);
  }
}

function publicState(s: number): TaskState {
  switch (s) {
    case OK:
      return 'succeeded';
    case FAIL:
      return 'failed';
    case SKIP:
      return 'skipped';
    case CANCEL:
      return 'cancelled';
    case RUN:
    case CHECK:
      return 'running';
    case LAUNCH:
      return 'queued';
    default:
      return 'pending';
  }
}
