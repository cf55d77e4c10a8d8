import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult } from '../schedulers/contract.js';
import { type Board, LAUNCH, READY, RUN, WAIT } from './board.js';
import { unmet } from './deps.js';
import type { Limits } from './limits.js';
import type { ReadyQueue } from './ready-queue.js';

/** What the machine (or `--cores`, `--memory`, `--max-parallel`) lets the engine use at once. */
export interface Capacity {
  readonly cores: number;
  /** MiB. */
  readonly memory: number;
  readonly maxParallel: number;
}

/** The parts of the engine an admission strategy works with. */
export interface AdmissionHost {
  readonly graph: TaskGraph;
  readonly board: Board;
  readonly ready: ReadyQueue;
  readonly adapter: SchedulerAdapter;
  readonly limits: Limits;
  readonly handles: Map<number, Handle>;
  /** Attempts under way (handed over, running, or being verified). */
  readonly active: number;
  readonly cancelling: boolean;
  /** Starts v's next attempt: its submission, or undefined when preparing it failed (v has failed). */
  begin(v: number, after?: readonly Handle[]): Submission | undefined;
  /** v can never be handed over (its request exceeds what the run may use): it fails for good. */
  reject(v: number, message: string): void;
  /** The scheduler refused v's current attempt. */
  refused(v: number, message: string): void;
  /** The scheduler accepted v's current attempt. */
  accepted(v: number, handle: Handle): void;
  /** v's current attempt was accepted while the run was cancelling, and withdrawn: it is cancelled. */
  withdrawn(v: number, handle: Handle): void;
  /** v's attempt is no longer under way: what it held is free. */
  release(v: number): void;
  makeReady(v: number): void;
  /** After the adapter answered: hand over what may go now, end the run if it is over. */
  settle(): void;
}

/**
 * How work reaches the scheduler. Two kinds: the engine admits by free resources and hands
 * over one attempt at a time (the local machine), or the scheduler admits and the engine hands
 * over everything ready, with its dependencies for the scheduler to hold it on (a cluster).
 */
export interface Admission {
  /** Hand-overs under way: the run does not end before they are answered. */
  readonly inflight: number;
  /** Whether the run goes on without the head once everything is handed over. */
  readonly detachable: boolean;
  /** Hands over what is ready and may go. */
  pump(): void;
  /** Holds (+1) or frees (-1) what an attempt of t needs from the engine's capacity. */
  reserve(t: TaskSpec, sign: 1 | -1): void;
  /** Whether the scheduler holds v until p succeeds, so that p counts as done for v. */
  heldFor(p: number, v: number): boolean;
  /** Not started on its own: waiting, ready, or held by the scheduler for a dependency. */
  waiting(v: number): boolean;
  /** The engine state of an attempt an earlier head recorded as handed over (`queued`) or running. */
  orphanState(queued: boolean): number;
  /** v's attempt was handed over by an earlier head. */
  orphan(v: number): void;
  /** The scheduler gave v up (held for a dependency that can never be satisfied): v waits again. */
  unheld(v: number): void;
  /** v's success: the successors w for which it still has to be counted. */
  countsFor(v: number, w: number): boolean;
  /** v failed; with `again`, it runs once more: what was handed over to wait for it is taken back. */
  failed(v: number, again: boolean): void;
}

/** The local machine: the engine admits by free cores, memory and `max_parallel`. */
export class EngineAdmission implements Admission {
  readonly inflight = 0;
  readonly detachable = false;
  private freeCores: number;
  private freeMemory: number;

  constructor(
    private readonly host: AdmissionHost,
    private readonly capacity: Capacity,
  ) {
    this.freeCores = capacity.cores;
    this.freeMemory = capacity.memory;
  }

  /** Launches ready tasks while they fit; a task that does not fit lets smaller ones go first. */
  pump(): void {
    const { host, capacity } = this;
    const deferred: number[] = [];
    // Look past a task that does not fit for smaller ones, but not far: most runs are uniform.
    while (
      host.ready.size > 0 &&
      host.active < capacity.maxParallel &&
      deferred.length < 16 &&
      this.freeCores > 0
    ) {
      const v = host.ready.pop()!;
      if (host.board.st[v] !== READY) continue;
      const t = host.graph.tasks[v]!;
      const r = t.resources;
      const mem = r.memory ?? 0;
      if (r.cores > capacity.cores || mem > capacity.memory) {
        const what = r.cores > capacity.cores ? `${r.cores} cores` : `${mem}M of memory`;
        const have = r.cores > capacity.cores ? `${capacity.cores} cores` : `${capacity.memory}M`;
        host.reject(v, `needs ${what}, but this run may use ${have} (see --cores, --memory)`);
        continue;
      }
      if (r.cores > this.freeCores || mem > this.freeMemory || host.limits.full(t, false)) {
        deferred.push(v);
        continue;
      }
      this.launch(v);
    }
    for (const v of deferred) host.ready.push(v);
  }

  private launch(v: number): void {
    const { host } = this;
    const sub = host.begin(v);
    if (!sub) return;
    const attempt = sub.attempt;
    const current = () => host.board.st[v] === LAUNCH && host.board.attempt[v] === attempt;
    host.adapter.submit([sub]).then(
      ([res]) => {
        if (res && !res.ok && current()) {
          host.refused(v, res.message);
          host.settle();
        }
      },
      (e: unknown) => {
        if (!current()) return;
        host.refused(v, `submission failed: ${(e as Error).message}`);
        host.settle();
      },
    );
  }

  reserve(t: TaskSpec, sign: 1 | -1): void {
    this.freeCores -= sign * t.resources.cores;
    this.freeMemory -= sign * (t.resources.memory ?? 0);
  }

  heldFor(): boolean {
    return false;
  }

  waiting(v: number): boolean {
    const s = this.host.board.st[v];
    return s === WAIT || s === READY;
  }

  orphanState(): number {
    return RUN;
  }

  orphan(): void {}

  unheld(): void {}

  countsFor(): boolean {
    return true;
  }

  failed(): void {}
}

/**
 * A batch scheduler with native dependencies: a task is handed over as soon as what it depends
 * on is handed over too, with their handles attached, and the scheduler holds it until they
 * succeed. A group's `max_parallel` has no native form: the engine bounds what it hands over.
 */
export class SchedulerAdmission implements Admission {
  readonly detachable = true;
  inflight = 0;
  /** `released[p]`: p's hand-over has already been counted for its successors. */
  private readonly released: Uint8Array;

  constructor(private readonly host: AdmissionHost) {
    this.released = new Uint8Array(host.board.n);
  }

  pump(): void {
    const { host } = this;
    const batch: number[] = [];
    const held: number[] = [];
    while (host.ready.size > 0) {
      const v = host.ready.pop()!;
      if (host.board.st[v] !== READY) continue;
      const t = host.graph.tasks[v]!;
      if (host.limits.full(t, true)) held.push(v);
      else {
        batch.push(v);
        host.limits.take(t, +1);
      }
    }
    for (const v of batch) host.limits.take(host.graph.tasks[v]!, -1);
    for (const v of held) host.ready.push(v);
    if (batch.length > 0) this.submit(batch);
  }

  /** Hands a batch over, each task with the handles it must wait for. */
  private submit(vs: number[]): void {
    const { host } = this;
    const subs: Submission[] = [];
    const kept: number[] = [];
    for (const v of vs) {
      const sub = host.begin(v, this.upstreamHandles(v));
      if (sub) {
        subs.push(sub);
        kept.push(v);
      }
    }
    if (subs.length === 0) return;
    this.inflight++;
    const attempts = kept.map((v) => host.board.attempt[v]!);
    const settle = (results: readonly SubmitResult[]) => {
      this.inflight--;
      kept.forEach((v, i) => {
        const res = results[i] ?? { ok: false, message: 'the scheduler gave no answer for this task' };
        const current = host.board.st[v] === LAUNCH && host.board.attempt[v] === attempts[i];
        if (!res.ok) {
          if (current) host.refused(v, res.message);
        } else if (!current || host.cancelling) {
          // Cancelled or reset while the hand-over was under way: withdraw it.
          host.adapter.cancel([res.handle]).catch(ignore);
          if (current) host.withdrawn(v, res.handle);
        } else {
          host.accepted(v, res.handle);
          this.handedOver(v);
        }
      });
      host.settle();
    };
    host.adapter
      .submit(subs)
      .then(settle, (e: unknown) =>
        settle(subs.map(() => ({ ok: false, message: `submission failed: ${(e as Error).message}` }))),
      );
  }

  /** Handles of the dependencies of v that have not succeeded yet (they run before v, natively). */
  private upstreamHandles(v: number): Handle[] {
    const { host } = this;
    const out: Handle[] = [];
    for (const p of host.graph.dag.predecessors(v)) {
      if (host.board.done(p)) continue;
      const h = host.handles.get(p);
      if (h) out.push(h);
    }
    return out;
  }

  /** p now has a handle: the successors that only wait for its hand-over may follow it. */
  private handedOver(p: number): void {
    const { host } = this;
    this.released[p] = 1;
    for (const w of host.graph.dag.successors(p)) {
      if (host.board.st[w] !== WAIT || host.graph.tasks[w]!.node.runAfter !== 'success') continue;
      if (--host.board.remaining[w]! === 0) host.makeReady(w);
    }
  }

  reserve(): void {}

  heldFor(p: number, v: number): boolean {
    const { host } = this;
    const s = host.board.st[p];
    return (
      host.graph.tasks[v]!.node.runAfter === 'success' && (s === LAUNCH || s === RUN) && host.handles.has(p)
    );
  }

  waiting(v: number): boolean {
    const s = this.host.board.st[v];
    return s === WAIT || s === READY || s === LAUNCH;
  }

  orphanState(queued: boolean): number {
    return queued ? LAUNCH : RUN;
  }

  /** Orphans were handed over by the head that recorded them. */
  orphan(v: number): void {
    this.released[v] = 1;
  }

  countsFor(v: number, w: number): boolean {
    // Already counted when v was handed over (the scheduler held w for v).
    return !(this.released[v] && this.host.graph.tasks[w]!.node.runAfter === 'success');
  }

  failed(v: number, again: boolean): void {
    this.released[v] = 0;
    if (again) this.resetDownstream(v);
  }

  /** Held in vain by the scheduler: v waits again, to be handed over anew. */
  unheld(v: number): void {
    this.released[v] = 0;
  }

  /**
   * A dependency will be retried under a new job: everything handed over to wait for it is
   * withdrawn and waits again, to be handed over with the new job.
   */
  private resetDownstream(v: number): void {
    const { host } = this;
    const { graph, board } = host;
    const seen = new Set<number>([v]);
    const stack = [v];
    const reset: number[] = [];
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
      if (board.st[w] === LAUNCH) {
        const h = host.handles.get(w);
        if (h) withdraw.push(h);
        host.release(w);
      }
      board.st[w] = WAIT;
      this.released[w] = 0;
    }
    if (withdraw.length > 0) host.adapter.cancel(withdraw).catch(ignore);
    this.recount(Array.from(graph.order).filter((w) => seen.has(w) && w !== v));
  }

  private recount(ws: readonly number[]): void {
    const { host } = this;
    for (const w of ws) {
      // A dependency that can no longer succeed has already skipped w: it does not come here.
      const u = unmet(host.graph, host.board, w, (p, x) => this.heldFor(p, x));
      const count = 'count' in u ? u.count : 1;
      host.board.remaining[w] = count;
      if (count === 0) host.makeReady(w);
    }
  }
}

/**
 * A cancel the scheduler refused leaves the attempt to end on its own: its update still
 * comes. The head's adapter reports the refusal; the engine has nothing to add.
 */
export function ignore(): void {}
