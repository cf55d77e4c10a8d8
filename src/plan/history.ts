import type { Headroom } from './size.js';

/** One succeeded attempt, as the journal records it. */
export interface Sample {
  readonly maxRssKiB?: number;
  readonly wallMs?: number;
  /** Items in the task, or GiB of its input, for a node whose scaling is per unit. */
  readonly units?: number;
}

/** A failed attempt, listed apart: its peak is not what the task needs. */
export interface FailedSample {
  readonly failure: string;
  readonly maxRssKiB?: number;
  readonly wallMs?: number;
}

/** A declared per-unit scaling being fitted: its unit and its base (MiB or seconds). */
export interface UnitScaling {
  readonly unit: 'item' | 'input_gib';
  readonly base: number;
}

/** One task of the last run: its units and its request, when they differ from the node's. */
export interface LastRunTask {
  readonly units?: number;
  readonly memory?: number;
  readonly runtime?: number;
}

/** What is known of one node across runs. Memory in MiB, runtime in seconds. */
export interface NodeHistory {
  readonly node: string;
  readonly succeeded: readonly Sample[];
  readonly failed?: readonly FailedSample[];
  /** What each task asked for (the declared request, headroom included). */
  readonly request: { readonly cores: number; readonly memory?: number; readonly runtime?: number };
  readonly scaling?: { readonly memory?: UnitScaling; readonly runtime?: UnitScaling };
  /** The last run's tasks, over which savings are counted: how many, or each one. */
  readonly lastRun?: number | readonly LastRunTask[];
  /** The node's own headroom, over `RightSizeOptions.headroom`. */
  readonly headroom?: Partial<Headroom>;
}

export interface RightSizeOptions {
  /** Headroom on the observed maximum (default 20% each). */
  readonly headroom?: Partial<Headroom>;
  /** Fewer samples than this keep the declared request (default 3). */
  readonly minSamples?: number;
  /** Memory rounds up to this many MiB (default 1; the scheduler's granularity). */
  readonly memoryGranularity?: number;
  /** Runtime rounds up to this many seconds (default 60). */
  readonly runtimeGranularity?: number;
}

export const DEFAULT_RIGHT_SIZE_HEADROOM: Headroom = { memory: 20, runtime: 20 };
export const MIN_SAMPLES = 3;

/** Requested, observed and suggested values of one resource: bytes for memory, seconds for runtime. */
export interface Observed {
  readonly requested: number | null;
  readonly median: number | null;
  readonly p95: number | null;
  readonly max: number | null;
  readonly suggested: number | null;
  /** For a per-unit scaling: the declared base, and the fitted amount per unit (no headroom). */
  readonly perUnit?: {
    readonly unit: UnitScaling['unit'];
    readonly base: number;
    readonly suggested: number;
  };
}

/** The right-sizing of one node (the CLI prints `rightSizeJson` of a list of these). */
export interface RightSized {
  readonly node: string;
  readonly samples: number;
  readonly failed: { readonly count: number; readonly kinds: Readonly<Record<string, number>> };
  readonly memory: Observed;
  readonly runtime: Observed;
  readonly saves: { readonly coreHours: number; readonly gbHours: number };
  /** Why a resource keeps its request, or how a per-unit fit was made. */
  readonly notes: readonly string[];
  /** Resources with too few samples to suggest anything: they keep their request. */
  readonly keeps: { readonly memory: boolean; readonly runtime: boolean };
}

const MIB = 1024 * 1024;

/**
 * Requested against observed (median, p95, max) against suggested, per node: the suggestion is
 * the observed maximum plus headroom, rounded up (memory to the granularity, runtime to the
 * minute), never below the maximum; a node whose scaling is per unit gets the smallest per-unit
 * amount above its declared base that covers every sample (max ratio). Savings are in core-hours
 * and GiB-hours of requests, over the last run's tasks.
 */
export function rightSize(nodes: readonly NodeHistory[], options: RightSizeOptions = {}): RightSized[] {
  return nodes.map((h) => rightSizeNode(h, options));
}

function rightSizeNode(h: NodeHistory, o: RightSizeOptions): RightSized {
  const minSamples = o.minSamples ?? MIN_SAMPLES;
  const headroom = { ...DEFAULT_RIGHT_SIZE_HEADROOM, ...o.headroom, ...h.headroom };
  const notes: string[] = [];
  const mem = h.succeeded.filter((s) => s.maxRssKiB !== undefined && s.maxRssKiB >= 0);
  const wall = h.succeeded.filter((s) => s.wallMs !== undefined && s.wallMs >= 0);
  const tasks = lastRunTasks(h);
  const memGran = Math.max(1, o.memoryGranularity ?? 1);
  const rtGran = Math.max(1, o.runtimeGranularity ?? 60);

  // Per task of the last run: what it asked for and what it would ask for. MiB and seconds.
  const suggestMemory = suggestFor(
    'memory',
    mem.map((s) => ({ value: s.maxRssKiB! / 1024, units: s.units ?? 0 })),
    h.scaling?.memory,
    headroom.memory,
    memGran,
    minSamples,
    notes,
  );
  const suggestRuntime = suggestFor(
    'runtime',
    wall.map((s) => ({ value: s.wallMs! / 1000, units: s.units ?? 0 })),
    h.scaling?.runtime,
    headroom.runtime,
    rtGran,
    minSamples,
    notes,
  );
  let coreHours = 0;
  let gbHours = 0;
  let memAll: number | null = null;
  let rtAll: number | null = null;
  for (const t of tasks) {
    const reqMem = t.memory ?? h.request.memory;
    const reqRt = t.runtime ?? h.request.runtime;
    const sugMem = suggestMemory.per(t.units ?? 0) ?? reqMem;
    const sugRt = suggestRuntime.per(t.units ?? 0) ?? reqRt;
    if (sugMem !== undefined) memAll = Math.max(memAll ?? 0, sugMem);
    if (sugRt !== undefined) rtAll = Math.max(rtAll ?? 0, sugRt);
    if (reqRt !== undefined && sugRt !== undefined) coreHours += (h.request.cores * (reqRt - sugRt)) / 3600;
    if (reqMem !== undefined && sugMem !== undefined && reqRt !== undefined && sugRt !== undefined) {
      gbHours += ((reqMem / 1024) * reqRt - (sugMem / 1024) * sugRt) / 3600;
    }
  }
  if (tasks.length === 0) {
    // Without a last run, the suggestion for the largest sampled task stands for the node.
    const unitsMem = maxOf(mem, (s) => s.units ?? 0);
    const unitsRt = maxOf(wall, (s) => s.units ?? 0);
    memAll = suggestMemory.per(unitsMem) ?? h.request.memory ?? null;
    rtAll = suggestRuntime.per(unitsRt) ?? h.request.runtime ?? null;
  }
  const failedKinds: Record<string, number> = {};
  for (const f of h.failed ?? []) failedKinds[f.failure] = (failedKinds[f.failure] ?? 0) + 1;
  const bytes = mem.map((s) => s.maxRssKiB! * 1024);
  const secs = wall.map((s) => s.wallMs! / 1000);
  return {
    node: h.node,
    samples: h.succeeded.length,
    failed: { count: h.failed?.length ?? 0, kinds: failedKinds },
    memory: {
      requested: h.request.memory !== undefined ? h.request.memory * MIB : null,
      ...stats(bytes),
      suggested: memAll !== null ? memAll * MIB : null,
      ...(suggestMemory.perUnit
        ? {
            perUnit: {
              ...suggestMemory.perUnit,
              base: suggestMemory.perUnit.base * MIB,
              suggested: suggestMemory.perUnit.suggested * MIB,
            },
          }
        : {}),
    },
    runtime: {
      requested: h.request.runtime ?? null,
      ...stats(secs),
      suggested: rtAll,
      ...(suggestRuntime.perUnit ? { perUnit: suggestRuntime.perUnit } : {}),
    },
    saves: { coreHours: round2(coreHours), gbHours: round2(gbHours) },
    notes,
    keeps: { memory: suggestMemory.kept === true, runtime: suggestRuntime.kept === true },
  };
}

interface Fitted {
  /** The suggested request of a task of `units` units, or undefined to keep its request. */
  per(units: number): number | undefined;
  /** Too few samples: nothing is suggested. */
  readonly kept?: boolean;
  readonly perUnit?: {
    readonly unit: UnitScaling['unit'];
    readonly base: number;
    readonly suggested: number;
  };
}

function suggestFor(
  what: 'memory' | 'runtime',
  samples: readonly { value: number; units: number }[],
  scaling: UnitScaling | undefined,
  headroom: number,
  granularity: number,
  minSamples: number,
  notes: string[],
): Fitted {
  if (samples.length < minSamples) {
    notes.push(
      `${what}: ${samples.length} sample${samples.length === 1 ? '' : 's'}, fewer than ${minSamples}: keeps the declared request`,
    );
    return { per: () => undefined, kept: true };
  }
  const withRoom = (x: number) => roomy(x, headroom, granularity);
  if (!scaling || !samples.some((s) => s.units > 0)) {
    const suggested = withRoom(maxOf(samples, (s) => s.value));
    return { per: () => suggested };
  }
  // Max ratio: the least amount per unit, above the declared base, that covers every sample.
  let perUnit = 0;
  for (const s of samples) if (s.units > 0) perUnit = Math.max(perUnit, (s.value - scaling.base) / s.units);
  // Whole MiB or seconds per unit, rounded up, so that the fit still covers every sample.
  const fitted = Math.ceil(Math.round(perUnit * 1e6) / 1e6);
  notes.push(
    `${what}: fitted per ${scaling.unit === 'item' ? 'item' : 'input GiB'} over ${samples.length} samples (max ratio above the declared base)`,
  );
  return {
    per: (units) => perUnitRequest(scaling.base, fitted, units, headroom, granularity),
    perUnit: { unit: scaling.unit, base: scaling.base, suggested: fitted },
  };
}

/**
 * The suggested request of a task of `units` units under a per-unit fit: (base + per unit ×
 * units) plus the headroom, rounded up to the granularity (MiB or seconds throughout).
 */
export function perUnitRequest(
  base: number,
  perUnit: number,
  units: number,
  headroom: number,
  granularity: number,
): number {
  return roomy(base + perUnit * units, headroom, granularity);
}

function roomy(x: number, headroom: number, granularity: number): number {
  const y = (x * (100 + headroom)) / 100;
  return Math.ceil(Math.round((y / granularity) * 1e6) / 1e6) * granularity;
}

function lastRunTasks(h: NodeHistory): readonly LastRunTask[] {
  if (h.lastRun === undefined) return [];
  if (typeof h.lastRun === 'number') return Array.from({ length: h.lastRun }, () => ({}));
  return h.lastRun;
}

/** Median (mean of the two middle values for an even count), p95 (nearest rank) and max. */
export function stats(values: readonly number[]): {
  median: number | null;
  p95: number | null;
  max: number | null;
} {
  if (values.length === 0) return { median: null, p95: null, max: null };
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
  return { median, p95: s[Math.ceil(0.95 * n) - 1]!, max: s[n - 1]! };
}

/**
 * The observed need of a node, for sizing's `history` source: the largest peak (MiB, rounded
 * up) and wall time (seconds, rounded up) of its succeeded attempts, once it has `minSamples`.
 */
export function observedEstimate(
  samples: readonly Sample[],
  minSamples = MIN_SAMPLES,
): { memory?: number; runtime?: number } {
  const mem = samples.flatMap((s) => (s.maxRssKiB !== undefined && s.maxRssKiB >= 0 ? [s.maxRssKiB] : []));
  const wall = samples.flatMap((s) => (s.wallMs !== undefined && s.wallMs >= 0 ? [s.wallMs] : []));
  return {
    ...(mem.length >= minSamples ? { memory: Math.ceil(maxOf(mem, (x) => x) / 1024) } : {}),
    ...(wall.length >= minSamples ? { runtime: Math.ceil(maxOf(wall, (x) => x) / 1000) } : {}),
  };
}

/** The JSON the CLI prints: `{ "right_size": [...] }`, bytes and seconds, savings to 0.01. */
export function rightSizeJson(rows: readonly RightSized[]): { right_size: unknown[] } {
  return {
    right_size: rows.map((r) => ({
      node: r.node,
      samples: r.samples,
      memory: {
        requested_bytes: r.memory.requested,
        observed_median_bytes: r.memory.median,
        observed_p95_bytes: r.memory.p95,
        observed_max_bytes: r.memory.max,
        suggested_bytes: r.memory.suggested,
        ...(r.memory.perUnit
          ? {
              per_unit: {
                unit: r.memory.perUnit.unit,
                base_bytes: r.memory.perUnit.base,
                suggested_per_unit_bytes: r.memory.perUnit.suggested,
              },
            }
          : {}),
      },
      runtime: {
        requested_s: r.runtime.requested,
        observed_median_s: r.runtime.median,
        observed_p95_s: r.runtime.p95,
        observed_max_s: r.runtime.max,
        suggested_s: r.runtime.suggested,
        ...(r.runtime.perUnit
          ? {
              per_unit: {
                unit: r.runtime.perUnit.unit,
                base_s: r.runtime.perUnit.base,
                suggested_per_unit_s: r.runtime.perUnit.suggested,
              },
            }
          : {}),
      },
      saves: { core_hours: r.saves.coreHours, gb_hours: r.saves.gbHours },
      ...(r.failed.count > 0 ? { failed: { count: r.failed.count, kinds: r.failed.kinds } } : {}),
      ...(r.notes.length > 0 ? { notes: r.notes } : {}),
    })),
  };
}

// A loop, not Math.max(...list): a node of 100,000 samples would overflow the call's arguments.
function maxOf<T>(list: readonly T[], f: (x: T) => number): number {
  let best = 0;
  for (const x of list) best = Math.max(best, f(x));
  return best;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100 + 0; // + 0 turns -0 into 0
}
