import { type NodeHistory, rightSize, stats } from '../../plan/history.js';
import { wallOf } from './attempts.js';
import type { ReportAttempt, ReportData } from './data.js';

/** min / median / p95 / max of a list of values (median and p95 as the planner computes them). */
export interface Dist {
  readonly n: number;
  readonly min: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

export function distribution(values: readonly number[]): Dist | undefined {
  if (values.length === 0) return undefined;
  const s = stats(values);
  let min = Number.POSITIVE_INFINITY;
  for (const v of values) min = Math.min(min, v);
  return { n: values.length, min, median: s.median!, p95: s.p95!, max: s.max! };
}

/** The requests of a scope's attempts: one value, or the range they span. */
export interface Span {
  readonly min: number;
  readonly max: number;
}

/** One resource of one scope: the request, the observed values raw and as % of each attempt's request. */
export interface Measure {
  readonly request?: Span;
  readonly raw?: Dist;
  readonly pct?: Dist;
  /** What the requests held beyond use: GB-hours (memory) or core-hours (CPU, wall). */
  readonly waste: number;
}

/** Resource use of a node or a group (subcampaign), over its succeeded attempts. */
export interface ScopeUse {
  readonly kind: 'node' | 'group';
  readonly id: string;
  readonly samples: number;
  /** Peak memory, bytes; request in MiB. */
  readonly memory: Measure;
  /** Cores in use (CPU time / wall); request in cores. */
  readonly cpu: Measure;
  /** Wall time, s; request: the declared runtime, else the limit. */
  readonly wall: Measure;
}

const MIB = 1024 * 1024;

/** Per node and per group: peak memory, CPU use and wall time against what was requested. */
export function scopeUse(data: ReportData): ScopeUse[] {
  const ok = new Map<string, ReportAttempt[]>();
  for (const a of data.attempts) {
    if (a.state !== 'succeeded') continue;
    const list = ok.get(a.node);
    if (list) list.push(a);
    else ok.set(a.node, [a]);
  }
  const out: ScopeUse[] = [];
  for (const n of data.nodes) {
    const list = ok.get(n.id);
    if (list) out.push(measure('node', n.id, list));
  }
  for (const g of data.groups) {
    const list = g.nodes.flatMap((n) => ok.get(n) ?? []);
    if (list.length > 0) out.push(measure('group', g.id, list));
  }
  return out;
}

function measure(kind: 'node' | 'group', id: string, list: readonly ReportAttempt[]): ScopeUse {
  const mem = { raw: [] as number[], pct: [] as number[], req: [] as number[], waste: 0 };
  const cpu = { raw: [] as number[], pct: [] as number[], req: [] as number[], waste: 0 };
  const wall = { raw: [] as number[], pct: [] as number[], req: [] as number[], waste: 0 };
  for (const a of list) {
    const w = wallOf(a);
    const hours = (w ?? 0) / 3_600_000;
    const r = a.req;
    if (r.memoryMiB !== undefined) mem.req.push(r.memoryMiB);
    if (a.peakKiB !== undefined) {
      const bytes = a.peakKiB * 1024;
      mem.raw.push(bytes);
      if (r.memoryMiB) {
        mem.pct.push((100 * bytes) / (r.memoryMiB * MIB));
        mem.waste += Math.max(0, r.memoryMiB / 1024 - bytes / (1024 * MIB)) * hours;
      }
    }
    const cores = r.cores ?? 1;
    cpu.req.push(cores);
    if (a.cpuMs !== undefined && w !== undefined && w > 0) {
      const used = a.cpuMs / w;
      cpu.raw.push(used);
      cpu.pct.push((100 * used) / cores);
      cpu.waste += Math.max(0, cores - used) * hours;
    }
    const want = r.runtime ?? r.limit;
    if (want !== undefined) wall.req.push(want);
    if (w !== undefined) {
      const s = w / 1000;
      wall.raw.push(s);
      if (want) {
        wall.pct.push((100 * s) / want);
        wall.waste += (Math.max(0, want - s) * cores) / 3600;
      }
    }
  }
  const m = (x: typeof mem): Measure => {
    const raw = distribution(x.raw);
    const pct = distribution(x.pct);
    const request = span(x.req);
    return {
      ...(request ? { request } : {}),
      ...(raw ? { raw } : {}),
      ...(pct ? { pct } : {}),
      waste: x.waste,
    };
  };
  return { kind, id, samples: list.length, memory: m(mem), cpu: m(cpu), wall: m(wall) };
}

function span(values: readonly number[]): Span | undefined {
  if (values.length === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max };
}

/** A node's right-size suggestion: observed maximum plus 20% headroom, rounded up. */
export interface RightSizeRow {
  readonly node: string;
  readonly samples: number;
  readonly cores: { readonly requested?: number; readonly suggested?: number };
  /** MiB. */
  readonly memory: { readonly requested?: number; readonly suggested?: number };
  /** Seconds. */
  readonly runtime: { readonly requested?: number; readonly suggested?: number };
  readonly saves: { readonly coreHours: number; readonly gbHours: number };
}

/** Headroom on the observed maximum, in percent. */
export const HEADROOM = 20;

/**
 * Right-size suggestions per node from its succeeded attempts, by the planner's `rightSize`
 * (memory rounded up to the MiB, runtime to the minute) with one sample enough; cores the
 * same way locally. Biggest savings first.
 */
export function rightSizing(data: ReportData): RightSizeRow[] {
  const byNode = new Map<string, ReportAttempt[]>();
  for (const a of data.attempts) {
    const list = byNode.get(a.node);
    if (list) list.push(a);
    else byNode.set(a.node, [a]);
  }
  const histories: NodeHistory[] = [];
  const cores = new Map<string, { requested?: number; suggested?: number }>();
  for (const n of data.nodes) {
    const list = byNode.get(n.id);
    if (!list) continue;
    const ok = list.filter((a) => a.state === 'succeeded');
    // The request the node runs with now: its latest attempt's (after any escalation).
    const current = list[list.length - 1]!.req;
    let maxUsed = 0;
    for (const a of ok) {
      const w = wallOf(a);
      if (a.cpuMs !== undefined && w) maxUsed = Math.max(maxUsed, a.cpuMs / w);
    }
    cores.set(n.id, {
      ...(current.cores !== undefined ? { requested: current.cores } : {}),
      ...(ok.length > 0 ? { suggested: Math.max(1, Math.ceil(maxUsed * (1 + HEADROOM / 100))) } : {}),
    });
    // The last attempt of each task: what it asked for, over which savings are counted.
    const last = new Map<number, ReportAttempt>();
    for (const a of list) last.set(a.taskIndex, a);
    const asked = [...last.values()];
    const uniform = asked.every(
      (a) => a.req.memoryMiB === current.memoryMiB && a.req.runtime === current.runtime,
    );
    histories.push({
      node: n.id,
      succeeded: ok.map((a) => {
        const w = wallOf(a);
        return {
          ...(a.peakKiB !== undefined ? { maxRssKiB: a.peakKiB } : {}),
          ...(w !== undefined ? { wallMs: w } : {}),
        };
      }),
      failed: list
        .filter((a) => a.state === 'failed')
        .map((a) => ({
          failure: a.failure ?? 'failed',
          ...(a.peakKiB !== undefined ? { maxRssKiB: a.peakKiB } : {}),
        })),
      request: {
        cores: current.cores ?? 1,
        ...(current.memoryMiB !== undefined ? { memory: current.memoryMiB } : {}),
        ...(current.runtime !== undefined ? { runtime: current.runtime } : {}),
      },
      lastRun: uniform
        ? asked.length
        : asked.map((a) => ({
            ...(a.req.memoryMiB !== undefined ? { memory: a.req.memoryMiB } : {}),
            ...(a.req.runtime !== undefined ? { runtime: a.req.runtime } : {}),
          })),
    });
  }
  const sized = rightSize(histories, { minSamples: 1, headroom: { memory: HEADROOM, runtime: HEADROOM } });
  return sized
    .map((r) => ({
      node: r.node,
      samples: r.samples,
      cores: cores.get(r.node) ?? {},
      memory: {
        ...(r.memory.requested !== null ? { requested: r.memory.requested / MIB } : {}),
        ...(r.memory.suggested !== null && r.memory.max !== null
          ? { suggested: r.memory.suggested / MIB }
          : {}),
      },
      runtime: {
        ...(r.runtime.requested !== null ? { requested: r.runtime.requested } : {}),
        ...(r.runtime.suggested !== null && r.runtime.max !== null ? { suggested: r.runtime.suggested } : {}),
      },
      saves: r.saves,
    }))
    .sort((a, b) => b.saves.gbHours + b.saves.coreHours - (a.saves.gbHours + a.saves.coreHours));
}
