import type { NodeSpec } from '../model/campaign.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import { type EstimateSource, type Headroom, type Scaling, type Sizing, size } from './size.js';

/** A node's sizing settings, as the front end read them (`headroom`, a declared scaling). */
export interface NodeSizing {
  readonly headroom?: Partial<Headroom>;
  readonly scaling?: { readonly memory?: Scaling; readonly runtime?: Scaling };
  /** The node's observed need (history.ts `observedEstimate`), when history is asked for. */
  readonly history?: { readonly memory?: number; readonly runtime?: number };
}

export interface SizeTasksOptions {
  /** Each node's settings; undefined for a node that has none. */
  readonly settings?: (node: NodeSpec) => NodeSizing | undefined;
  /** Bytes of a task's input files, for `per_input_gib` (the caller stats them; sizing does no I/O). */
  readonly inputBytes?: (task: TaskSpec, v: number) => number | undefined;
}

/** What a node itself declares for sizing: its inherited headroom and scalings. */
export function declaredSizing(node: NodeSpec): NodeSizing | undefined {
  if (!node.headroom && !node.scaling) return undefined;
  return {
    ...(node.headroom ? { headroom: node.headroom } : {}),
    ...(node.scaling ? { scaling: node.scaling } : {}),
  };
}

/** Every task's request, for the schedule, and how the first task of each node was sized. */
export interface SizedTasks {
  /** MiB and seconds per task. */
  readonly requests: { readonly memory: Float64Array; readonly runtime: Float64Array };
  /** By node id: the sizing of the node's first task (its estimate sources, headroom, request). */
  readonly byNode: ReadonlyMap<string, Sizing>;
  /** By node id, for nodes whose tasks are sized differently (a scaling): the least and most. */
  readonly spread: ReadonlyMap<string, NodeSpread>;
}

/** The least and the most estimate and request over a node's tasks (MiB or seconds). */
export interface Spread {
  readonly estimate: readonly [number, number];
  readonly request: readonly [number, number];
}

/** How a node's tasks differ, per resource. */
export interface NodeSpread {
  readonly memory?: Spread;
  readonly runtime?: Spread;
}

/**
 * Sizes every task of the graph (see `size`): its items are its chunk's item count, its
 * workflow estimate the type's. A task nothing estimates asks for 0 memory and runtime, as the
 * schedule counts undeclared values.
 */
export function sizeTasks(graph: TaskGraph, options: SizeTasksOptions = {}): SizedTasks {
  const n = graph.tasks.length;
  const memory = new Float64Array(n);
  const runtime = new Float64Array(n);
  const byNode = new Map<string, Sizing>();
  const spread = new Map<string, NodeSpread>();
  for (const nt of graph.nodes) {
    const settings = options.settings?.(nt.node);
    const lo = { memory: [Infinity, Infinity], runtime: [Infinity, Infinity] };
    const hi = { memory: [0, 0], runtime: [0, 0] };
    for (let k = 0; k < nt.count; k++) {
      const v = nt.first + k;
      const t = graph.tasks[v]!;
      const bytes = options.inputBytes?.(t, v);
      const sized = size({
        declared: t.resources,
        ...(settings?.scaling ? { scaling: settings.scaling } : {}),
        ...(t.estimate ? { workflow: t.estimate } : {}),
        ...(settings?.history ? { history: settings.history } : {}),
        items: t.items?.length ?? 1,
        ...(bytes !== undefined ? { inputBytes: bytes } : {}),
        ...(settings?.headroom ? { headroom: settings.headroom } : {}),
      });
      memory[v] = sized.memory?.request ?? 0;
      runtime[v] = sized.runtime?.request ?? 0;
      if (k === 0) byNode.set(nt.node.id, sized);
      if (settings?.scaling) {
        for (const key of ['memory', 'runtime'] as const) {
          const x = sized[key];
          if (!x) continue;
          lo[key] = [Math.min(lo[key][0]!, x.estimate), Math.min(lo[key][1]!, x.request)];
          hi[key] = [Math.max(hi[key][0]!, x.estimate), Math.max(hi[key][1]!, x.request)];
        }
      }
    }
    if (settings?.scaling) {
      const one = (key: 'memory' | 'runtime'): Spread | undefined =>
        lo[key][0] !== Infinity && (lo[key][0] !== hi[key][0] || lo[key][1] !== hi[key][1])
          ? { estimate: [lo[key][0]!, hi[key][0]!], request: [lo[key][1]!, hi[key][1]!] }
          : undefined;
      const m = one('memory');
      const r = one('runtime');
      if (m || r) spread.set(nt.node.id, { ...(m ? { memory: m } : {}), ...(r ? { runtime: r } : {}) });
    }
  }
  return { requests: { memory, runtime }, byNode, spread };
}

/** The sources of a sizing, for a plan line: `memory from workflow +30%, runtime declared`. */
export function describeSizing(s: Sizing): string {
  const one = (what: string, x: { source: EstimateSource; headroom: number } | undefined) =>
    x
      ? `${what} ${x.source === 'declared' ? 'declared' : `from ${x.source}`}${x.headroom > 0 ? ` +${x.headroom}%` : ''}`
      : undefined;
  return [one('memory', s.memory), one('runtime', s.runtime)].filter((x) => x !== undefined).join(', ');
}
