import type { ResourceEstimate } from '../model/tasks.js';

/** Headroom in percent of the estimate, per resource: `{ memory = "30%" }` is `{ memory: 30 }`. */
export interface Headroom {
  readonly memory: number;
  readonly runtime: number;
}

export const NO_HEADROOM: Headroom = { memory: 0, runtime: 0 };

/**
 * A declared scaling, `base + per_item × items + per_input_gib × input GiB`: MiB for memory,
 * seconds for runtime. Keys left out are 0.
 */
export interface Scaling {
  readonly base: number;
  readonly perItem: number;
  readonly perInputGiB: number;
}

/** Where an estimate came from, in precedence order. */
export type EstimateSource = 'history' | 'workflow' | 'scaling' | 'declared';

/** What sizing one task (or every task of a node) is given. Memory in MiB, runtime in seconds. */
export interface SizeInput {
  /** The node's declared resources (`Resources` fits). */
  readonly declared: {
    readonly cores: number;
    readonly gpus: number;
    readonly nodes: number;
    readonly memory?: number;
    readonly runtime?: number;
  };
  readonly scaling?: { readonly memory?: Scaling; readonly runtime?: Scaling };
  /** The workflow type's estimate (`TaskSpec.estimate`). */
  readonly workflow?: ResourceEstimate;
  /** Observed values (history.ts `observedEstimate`), given only when history is asked for. */
  readonly history?: { readonly memory?: number; readonly runtime?: number };
  /** Items in the task (a chunk's item count); default 1. */
  readonly items?: number;
  /** Total size of the task's input files, in bytes; default 0. */
  readonly inputBytes?: number;
  readonly headroom?: Partial<Headroom>;
}

/** One resource sized: the estimate, the headroom (percent) and the request it makes. */
export interface Sized {
  readonly estimate: number;
  readonly headroom: number;
  readonly request: number;
  readonly source: EstimateSource;
}

/** The request of a task: memory and runtime sized (absent when nothing estimates them). */
export interface Sizing {
  readonly cores: number;
  readonly gpus: number;
  readonly nodes: number;
  readonly memory?: Sized;
  readonly runtime?: Sized;
}

const GIB = 1024 ** 3;

/**
 * Sizes a task: per resource, the estimate from the first source that has one (history,
 * the workflow type, the declared scaling, the declared value), then the headroom applied
 * once: request = ⌈estimate × (100 + headroom) / 100⌉. Cores, GPUs and nodes pass through.
 */
export function size(input: SizeInput): Sizing {
  const items = input.items ?? 1;
  const gib = (input.inputBytes ?? 0) / GIB;
  const headroom = { ...NO_HEADROOM, ...input.headroom };
  const one = (key: 'memory' | 'runtime'): Sized | undefined => {
    const scaling = input.scaling?.[key];
    const sources: [EstimateSource, number | undefined][] = [
      ['history', input.history?.[key]],
      ['workflow', input.workflow?.[key]],
      ['scaling', scaling ? scaled(scaling, items, gib) : undefined],
      ['declared', input.declared[key]],
    ];
    const found = sources.find(([, v]) => v !== undefined && Number.isFinite(v));
    if (!found) return undefined;
    const [source, value] = found;
    const estimate = ceil(value!);
    return { estimate, headroom: headroom[key], request: withHeadroom(estimate, headroom[key]), source };
  };
  const memory = one('memory');
  const runtime = one('runtime');
  const { cores, gpus, nodes } = input.declared;
  return { cores, gpus, nodes, ...(memory ? { memory } : {}), ...(runtime ? { runtime } : {}) };
}

/** ⌈estimate × (100 + percent) / 100⌉, exact for whole numbers. */
export function withHeadroom(estimate: number, percent: number): number {
  return ceil((estimate * (100 + percent)) / 100);
}

/** The declared scaling's value for a task of `items` items and `gib` GiB of input. */
export function scaled(s: Scaling, items: number, gib: number): number {
  return s.base + s.perItem * items + s.perInputGiB * gib;
}

// Rounds away float noise (130.00000000000003) before rounding up.
function ceil(x: number): number {
  return Math.ceil(Math.round(x * 1e6) / 1e6);
}
