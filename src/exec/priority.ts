import type { TaskGraph } from '../model/tasks.js';
import { remainingPath } from './ready-queue.js';

/**
 * The engine's priorities: each ready task's remaining critical path, from the planner's
 * runtimes (`resources.runtime`, which `run` sets to the sized request), corrected as the run
 * goes by what succeeded tasks really took: a node's runtimes are scaled by its own observed /
 * planned ratio, a node with no success yet by the run's. The ranks are recomputed (O(V + E))
 * after every `every` successes, so a run of V tasks recomputes them at most about 64 times.
 */
export class Priorities {
  /** Rank of each task (seconds of remaining path); the ready queue orders by it. */
  readonly rank: Float64Array;
  private readonly nodeOf: Int32Array;
  private readonly wall: Float64Array;
  private readonly planned: Float64Array;
  private wallAll = 0;
  private plannedAll = 0;
  private since = 0;
  private readonly every: number;

  constructor(
    private readonly graph: TaskGraph,
    every?: number,
  ) {
    const n = graph.tasks.length;
    this.nodeOf = new Int32Array(n);
    graph.nodes.forEach((nt, i) => {
      this.nodeOf.fill(i, nt.first, nt.first + nt.count);
    });
    this.wall = new Float64Array(graph.nodes.length);
    this.planned = new Float64Array(graph.nodes.length);
    this.every = every ?? Math.max(1, Math.ceil(n / 64));
    this.rank = new Float64Array(n);
    this.recompute();
  }

  /** The runtime (s) a task is planned at: its request, 1 when it has none. */
  private plannedOf(v: number): number {
    return this.graph.tasks[v]!.resources.runtime ?? 1;
  }

  /** How long a node's tasks take against their plan: its own ratio, else the run's, else 1. */
  ratio(node: number): number {
    if (this.planned[node]! > 0) return this.wall[node]! / this.planned[node]!;
    return this.plannedAll > 0 ? this.wallAll / this.plannedAll : 1;
  }

  /**
   * A task succeeded after `wallMs`. Returns true when the ranks changed, so that the ready
   * queue must be reordered.
   */
  observe(v: number, wallMs: number | undefined): boolean {
    const planned = this.graph.tasks[v]!.resources.runtime;
    if (wallMs === undefined || planned === undefined || planned <= 0) return false;
    const node = this.nodeOf[v]!;
    this.wall[node] = this.wall[node]! + wallMs / 1000;
    this.planned[node] = this.planned[node]! + planned;
    this.wallAll += wallMs / 1000;
    this.plannedAll += planned;
    if (++this.since < this.every) return false;
    this.since = 0;
    this.recompute();
    return true;
  }

  private recompute(): void {
    const g = this.graph;
    const rank = remainingPath(
      g.order,
      (v) => g.dag.successors(v),
      (v) => this.plannedOf(v) * this.ratio(this.nodeOf[v]!),
    );
    this.rank.set(rank);
  }
}
