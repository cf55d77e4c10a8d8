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
  readonly inputBytes?: (task: TaskSpec) => number | undefined;
}

/** Every task's request, for the schedule, and how the first task of each node was sized. */
export interface SizedTasks {
  /** MiB and seconds per task. */
  readonly requests: { readonly memory: Float64Array; readonly runtime: Float64Array };
  /** By node id: the sizing of the node's first task (its estimate sources, headroom, request). */
  readonly byNode: ReadonlyMap<string, Sizing>;
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
  for (const nt of graph.nodes) {
    const settings = options.settings?.(nt.node);
    for (let k = 0; k < nt.count; k++) {
      const v = nt.first + k;
      const t = graph.tasks[v]!;
      const bytes = options.inputBytes?.(t);
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
    }
  }
  return { requests: { memory, runtime }, byNode };
}

/** The sources of a sizing, for a plan line: `memory from workflow +30%, runtime declared`. */
export function describeSizing(s: Sizing): string {
  const one = (what: string, x: { source: EstimateSource; headroom: number } | undefined) =>
    x
      ? `${what} ${x.source === 'declared' ? 'declared' : `from ${x.source}`}${x.headroom > 0 ? ` +${x.headroom}%` : ''}`
      : undefined;
  return [one('memory', s.memory), one('runtime', s.runtime)].filter((x) => x !== undefined).join(', ');
}
