import { bottomLevels, criticalPathOf, topologicalOrder } from './dag-paths.js';
import { IntHeap } from './heap.js';

/** The DAG as CSR arrays. `Dag` from src/model/dag.ts has exactly these fields. */
export interface DagArrays {
  readonly size: number;
  /** succ[succStart[v] .. succStart[v+1]) wait for v. */
  readonly succStart: ArrayLike<number>;
  readonly succ: ArrayLike<number>;
  /** pred[predStart[v] .. predStart[v+1]) are what v waits for. */
  readonly predStart: ArrayLike<number>;
  readonly pred: ArrayLike<number>;
}

/** What each of `dag.size` tasks needs: parallel arrays indexed by task number. */
export interface ScheduleTasks {
  readonly dag: DagArrays;
  readonly cores: ArrayLike<number>;
  /** MiB. */
  readonly memory: ArrayLike<number>;
  readonly gpus: ArrayLike<number>;
  /** The runtime estimate, in seconds. */
  readonly runtime: ArrayLike<number>;
  /** Cluster nodes each task spans (default 1); more than 1 does not fit (out of scope). */
  readonly nodes?: ArrayLike<number>;
  /** Group number of each task, an index into `groups` (default: every task in one group). */
  readonly group?: ArrayLike<number>;
  readonly groups?: readonly string[];
}

/** `nodes` identical nodes; optional caps on the whole budget at once (per-user limits). */
export interface ScheduleBudget {
  readonly nodes: number;
  readonly coresPerNode: number;
  /** MiB; `Infinity` when the budget does not bound memory. */
  readonly memoryPerNode: number;
  readonly gpusPerNode: number;
  /** At most this many tasks running at once (a per-user job limit, `max_parallel`). */
  readonly maxTasks?: number;
  /** At most this many cores in use at once (a per-user core limit). */
  readonly maxCores?: number;
}

export interface ScheduleOptions {
  /**
   * How many ready tasks that do not fit may be passed over, at one moment, for lower-priority
   * ones that do (default 16, as the engine does). This bound is what keeps the cost
   * O((V + E) log V): each moment pops at most `lookahead` tasks it cannot start.
   */
  readonly lookahead?: number;
}

/** A task that fits no node of the budget: it is not scheduled, nor is anything after it. */
export interface Unfit {
  readonly task: number;
  readonly limit: 'cores' | 'memory' | 'gpus' | 'nodes' | 'max-cores';
  readonly requested: number;
  readonly available: number;
}

/** One step of the chain that sets the makespan, earliest first. */
export interface ChainLink {
  readonly task: number;
  readonly start: number;
  readonly end: number;
  /**
   * Why it started when it did: right after `after`, a dependency (`dependency`); when `after`
   * ended and freed the resources it needed (`resources`); or at time 0 (`start`).
   */
  readonly waited: 'dependency' | 'resources' | 'start';
  readonly after: number;
}

/** Core- and GPU-hours of the scheduled tasks of one group, and when the group runs. */
export interface GroupUsage {
  readonly group: string;
  readonly tasks: number;
  readonly coreHours: number;
  readonly gpuHours: number;
  readonly start: number;
  readonly end: number;
}

/** A simulated run of the DAG on the budget. Times are seconds from the start. */
export interface Schedule {
  /** Per task; -1 for a task that was not scheduled. */
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly node: Int32Array;
  readonly makespan: number;
  /** Most tasks running at once, and most cores and GPUs in use at once. */
  readonly peakConcurrency: number;
  readonly peakCores: number;
  readonly peakGpus: number;
  readonly coreHours: number;
  readonly gpuHours: number;
  readonly byGroup: readonly GroupUsage[];
  /** The longest path by runtime estimate, whatever the budget: a lower bound on the makespan. */
  readonly criticalPath: { readonly tasks: Int32Array; readonly seconds: number };
  /** The chain of tasks that ends last in this schedule, through dependencies and waits for room. */
  readonly chain: readonly ChainLink[];
  readonly unfit: readonly Unfit[];
  /** Tasks not scheduled because something they wait for does not fit, or lies on a cycle. */
  readonly blocked: Int32Array;
  /** Tasks on a cycle or after one (not scheduled; the model rejects cycles before this). */
  readonly cyclic: Int32Array;
  readonly scheduled: number;
}

const WAITING = 0;
const RUNNING = 1;
const DONE = 2;
const OUT = 3; // unfit, blocked or on a cycle

/**
 * List scheduling of a DAG on identical nodes. Ready tasks go by highest remaining critical
 * path (bottom level by runtime), ties by task number; at each moment a task ends, every ready
 * task that fits on one node (first fit, lowest node number) starts, looking past at most
 * `lookahead` that do not. A task never spans nodes. Cost O((V + E) log V + V·K·N) for K the
 * lookahead and N the nodes: see docs/planning.md.
 */
export function schedule(
  tasks: ScheduleTasks,
  budget: ScheduleBudget,
  options: ScheduleOptions = {},
): Schedule {
  const { dag, cores, memory, gpus, runtime } = tasks;
  const n = dag.size;
  const lookahead = Math.max(0, options.lookahead ?? 16);
  const order = topologicalOrder(dag);
  const rank = bottomLevels(dag, order, runtime);

  const { state, unfit, cyclic, blocked } = exclude(tasks, budget, order);
  const start = new Float64Array(n).fill(-1);
  const end = new Float64Array(n).fill(-1);
  const node = new Int32Array(n).fill(-1);
  const readyAt = new Float64Array(n);
  const cause = new Int32Array(n).fill(-1);
  const waitedRes = new Uint8Array(n);
  const indeg = new Int32Array(n);
  for (let v = 0; v < n; v++) indeg[v] = dag.predStart[v + 1]! - dag.predStart[v]!;

  const ready = new IntHeap(rank, 'max', n);
  const running = new IntHeap(end, 'min', 64);
  for (let v = 0; v < n; v++) if (indeg[v] === 0 && state[v] === WAITING) ready.push(v);

  const N = Math.max(0, budget.nodes);
  const freeCores = new Float64Array(N).fill(budget.coresPerNode);
  const freeMem = new Float64Array(N).fill(budget.memoryPerNode);
  const freeGpus = new Float64Array(N).fill(budget.gpusPerNode);
  const lastEnd = new Int32Array(N).fill(-1);
  const maxTasks = budget.maxTasks ?? Number.POSITIVE_INFINITY;
  const maxCores = budget.maxCores ?? Number.POSITIVE_INFINITY;
  let lastEndAny = -1;
  let active = 0;
  let busyCores = 0;
  let busyGpus = 0;
  let peakConcurrency = 0;
  let peakCores = 0;
  let peakGpus = 0;
  let scheduled = 0;
  // Ready tasks that did not fit at the last moment, best first. Kept beside the heap rather
  // than pushed back into it: the next moment looks at them again first, and a busy budget
  // would otherwise pop and push the same lookahead tasks at every moment.
  let held = new Int32Array(lookahead + 1);
  let next = new Int32Array(lookahead + 1);
  let heldCount = 0;

  const pump = (t: number) => {
    let h = 0;
    let failed = 0;
    while (active < maxTasks) {
      // The next task in priority order, from the held ones or the heap.
      let v: number;
      if (h < heldCount && (ready.size === 0 || ready.before(held[h]!, ready.peek()))) v = held[h++]!;
      else if (ready.size > 0) v = ready.pop();
      else break;
      const c = cores[v]!;
      const m = memory[v]!;
      const g = gpus[v]!;
      let k = -1;
      if (busyCores + c <= maxCores) {
        for (let i = 0; i < N; i++) {
          if (freeCores[i]! >= c && freeMem[i]! >= m && freeGpus[i]! >= g) {
            k = i;
            break;
          }
        }
      }
      if (k < 0) {
        next[failed++] = v;
        if (failed > lookahead) break;
        continue;
      }
      freeCores[k]! -= c;
      freeMem[k]! -= m;
      freeGpus[k]! -= g;
      start[v] = t;
      end[v] = t + runtime[v]!;
      node[v] = k;
      state[v] = RUNNING;
      if (t > readyAt[v]!) {
        waitedRes[v] = 1;
        const here = lastEnd[k]!;
        cause[v] = here >= 0 && end[here] === t ? here : lastEndAny;
      }
      running.push(v);
      scheduled++;
      active++;
      busyCores += c;
      busyGpus += g;
    }
    // Held tasks not looked at this time go back to the heap (rare: only when stopping early).
    for (; h < heldCount; h++) ready.push(held[h]!);
    [held, next] = [next, held];
    heldCount = failed;
    if (active > peakConcurrency) peakConcurrency = active;
    if (busyCores > peakCores) peakCores = busyCores;
    if (busyGpus > peakGpus) peakGpus = busyGpus;
  };

  let t = 0;
  pump(t);
  while (running.size > 0) {
    t = end[running.peek()]!;
    while (running.size > 0 && end[running.peek()] === t) {
      const v = running.pop();
      const k = node[v]!;
      freeCores[k]! += cores[v]!;
      freeMem[k]! += memory[v]!;
      freeGpus[k]! += gpus[v]!;
      active--;
      busyCores -= cores[v]!;
      busyGpus -= gpus[v]!;
      lastEnd[k] = v;
      lastEndAny = v;
      state[v] = DONE;
      for (let j = dag.succStart[v]!; j < dag.succStart[v + 1]!; j++) {
        const w = dag.succ[j]!;
        if (t >= readyAt[w]!) {
          readyAt[w] = t;
          cause[w] = v;
        }
        if (--indeg[w]! === 0 && state[w] === WAITING) ready.push(w);
      }
    }
    pump(t);
  }

  let last = -1;
  for (let v = 0; v < n; v++) if (end[v]! >= 0 && (last < 0 || end[v]! > end[last]!)) last = v;
  const makespan = last < 0 ? 0 : end[last]!;
  const usage = groupUsage(tasks, start, end);
  return {
    start,
    end,
    node,
    makespan,
    peakConcurrency,
    peakCores,
    peakGpus,
    coreHours: usage.reduce((s, g) => s + g.coreHours, 0),
    gpuHours: usage.reduce((s, g) => s + g.gpuHours, 0),
    byGroup: usage,
    criticalPath: criticalPathOf(dag, order, rank),
    chain: chainOf(last, start, end, cause, waitedRes),
    unfit,
    blocked: Int32Array.from(blocked).sort(),
    cyclic: Int32Array.from(cyclic),
    scheduled,
  };
}

/**
 * What cannot be scheduled: tasks that fit no node, tasks on (or after) a cycle, and tasks
 * downstream of either. Their state is OUT; everything else WAITING.
 */
function exclude(
  tasks: ScheduleTasks,
  budget: ScheduleBudget,
  order: Int32Array,
): { state: Uint8Array; unfit: Unfit[]; cyclic: number[]; blocked: number[] } {
  const { dag } = tasks;
  const n = dag.size;
  const state = new Uint8Array(n);
  const unfit: Unfit[] = [];
  for (let v = 0; v < n; v++) {
    const miss = misfit(tasks, budget, v);
    if (miss) {
      unfit.push(miss);
      state[v] = OUT;
    }
  }
  const onCycle = new Uint8Array(n).fill(1);
  for (let i = 0; i < order.length; i++) onCycle[order[i]!] = 0;
  const cyclic: number[] = [];
  for (let v = 0; v < n; v++) {
    if (onCycle[v]) {
      cyclic.push(v);
      state[v] = OUT;
    }
  }
  const blocked: number[] = [];
  for (let i = 0; i < order.length; i++) {
    const v = order[i]!;
    if (state[v] === OUT) continue;
    for (let j = dag.predStart[v]!; j < dag.predStart[v + 1]!; j++) {
      if (state[dag.pred[j]!] === OUT) {
        state[v] = OUT;
        blocked.push(v);
        break;
      }
    }
  }
  return { state, unfit, cyclic, blocked };
}

function misfit(tasks: ScheduleTasks, b: ScheduleBudget, v: number): Unfit | undefined {
  const nodes = tasks.nodes?.[v] ?? 1;
  const c = tasks.cores[v]!;
  const m = tasks.memory[v]!;
  const g = tasks.gpus[v]!;
  // No array per task here: this runs for every task before the schedule starts.
  if (b.nodes < 1) return { task: v, limit: 'nodes', requested: nodes, available: 0 };
  if (nodes > 1) return { task: v, limit: 'nodes', requested: nodes, available: 1 };
  if (c > b.coresPerNode) return { task: v, limit: 'cores', requested: c, available: b.coresPerNode };
  if (m > b.memoryPerNode) return { task: v, limit: 'memory', requested: m, available: b.memoryPerNode };
  if (g > b.gpusPerNode) return { task: v, limit: 'gpus', requested: g, available: b.gpusPerNode };
  if (b.maxCores !== undefined && c > b.maxCores)
    return { task: v, limit: 'max-cores', requested: c, available: b.maxCores };
  return undefined;
}

function chainOf(
  last: number,
  start: Float64Array,
  end: Float64Array,
  cause: Int32Array,
  waitedRes: Uint8Array,
): ChainLink[] {
  const out: ChainLink[] = [];
  for (let v = last; v >= 0; ) {
    const after = cause[v]!;
    out.push({
      task: v,
      start: start[v]!,
      end: end[v]!,
      waited: after < 0 ? 'start' : waitedRes[v] ? 'resources' : 'dependency',
      after,
    });
    v = after;
  }
  return out.reverse();
}

function groupUsage(tasks: ScheduleTasks, start: Float64Array, end: Float64Array): GroupUsage[] {
  const names = tasks.groups ?? ['all'];
  const count = new Float64Array(names.length);
  const core = new Float64Array(names.length);
  const gpu = new Float64Array(names.length);
  const first = new Float64Array(names.length).fill(Number.POSITIVE_INFINITY);
  const lastEnd = new Float64Array(names.length).fill(-1);
  for (let v = 0; v < start.length; v++) {
    if (start[v]! < 0) continue;
    const g = tasks.group?.[v] ?? 0;
    const seconds = end[v]! - start[v]!;
    count[g]!++;
    core[g]! += (tasks.cores[v]! * seconds) / 3600;
    gpu[g]! += (tasks.gpus[v]! * seconds) / 3600;
    if (start[v]! < first[g]!) first[g] = start[v]!;
    if (end[v]! > lastEnd[g]!) lastEnd[g] = end[v]!;
  }
  return names.map((group, g) => ({
    group,
    tasks: count[g]!,
    coreHours: core[g]!,
    gpuHours: gpu[g]!,
    start: count[g]! > 0 ? first[g]! : 0,
    end: count[g]! > 0 ? lastEnd[g]! : 0,
  }));
}
