import type { TaskGraph } from '../model/tasks.js';
import type { Handle, SchedulerAdapter } from '../schedulers/contract.js';
import type { Admission } from './admission.js';
import { type Board, LAUNCH, SKIP, WAIT } from './board.js';
import { unmet } from './deps.js';

/** What the consequences of a failure need of the engine. */
export interface CascadeHost {
  readonly graph: TaskGraph;
  readonly board: Board;
  readonly adapter: SchedulerAdapter;
  readonly handles: Map<number, Handle>;
  release(v: number): void;
  makeReady(v: number): void;
  /** Records that w will not run. */
  skipped(w: number, upstream: string, message: string): void;
}

/**
 * What follows from a task that will never succeed in this run: its dependents that need its
 * success are skipped, with everything that needs them; those that run after anything count it
 * as done. Attempts the scheduler holds for it are withdrawn.
 */
export class Cascade {
  constructor(
    private readonly host: CascadeHost,
    private readonly admission: Admission,
  ) {}

  /** v failed for good. */
  failed(v: number): void {
    const { graph } = this.host;
    const id = graph.tasks[v]!.id;
    for (const w of graph.dag.successors(v)) {
      if (!this.admission.waiting(w)) continue;
      if (graph.tasks[w]!.node.runAfter === 'any') this.countDone(w);
      else this.skip(w, id, `upstream ${id} failed`);
    }
  }

  /** Marks v and everything that needs it as skipped. */
  skip(v: number, upstream: string, message: string): void {
    const { graph } = this.host;
    const withdraw: Handle[] = [];
    this.mark(v, upstream, message, withdraw);
    const stack = [v];
    while (stack.length > 0) {
      const u = stack.pop()!;
      const id = graph.tasks[u]!.id;
      for (const w of graph.dag.successors(u)) {
        if (!this.admission.waiting(w)) continue;
        if (graph.tasks[w]!.node.runAfter === 'any') {
          this.countDone(w);
          continue;
        }
        this.mark(w, id, `upstream ${id} was skipped`, withdraw);
        stack.push(w);
      }
    }
    if (withdraw.length > 0) void this.host.adapter.cancel(withdraw);
  }

  /**
   * The scheduler gave up a task held for a dependency that failed (possibly under an earlier
   * head). If that dependency failed for good the task is skipped; if it runs again the task
   * waits for it anew.
   */
  heldInVain(v: number): void {
    const { host } = this;
    host.release(v);
    this.admission.unheld(v);
    host.board.st[v] = WAIT;
    const u = unmet(host.graph, host.board, v, (p, w) => this.admission.heldFor(p, w));
    if ('blockedBy' in u) {
      const up = host.graph.tasks[u.blockedBy]!.id;
      this.skip(v, up, `upstream ${up} failed`);
      return;
    }
    host.board.remaining[v] = u.count;
    if (u.count === 0) host.makeReady(v);
  }

  private countDone(w: number): void {
    const { board } = this.host;
    if (board.st[w] === WAIT && --board.remaining[w]! === 0) this.host.makeReady(w);
  }

  private mark(w: number, upstream: string, message: string, withdraw: Handle[]): void {
    const { host } = this;
    if (host.board.st[w] === LAUNCH) {
      // Held by the scheduler for a dependency that will never succeed.
      const h = host.handles.get(w);
      if (h) withdraw.push(h);
      host.release(w);
    }
    host.board.st[w] = SKIP;
    host.skipped(w, upstream, message);
  }
}
