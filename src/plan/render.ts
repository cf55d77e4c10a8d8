import { formatDuration, formatMemory } from '../model/units.js';
import type { ChainLink, Schedule, ScheduleTasks, Unfit } from './schedule.js';

/** One line of the per-group table: what its tasks ask for, where they go, what they cost. */
export interface GroupRow {
  readonly group: string;
  readonly tasks: number;
  readonly cores: readonly [number, number];
  /** MiB. */
  readonly memory: readonly [number, number];
  /** Seconds. */
  readonly runtime: readonly [number, number];
  readonly partition?: string;
  readonly coreHours: number;
  readonly gpuHours: number;
}

/**
 * The per-group table's rows, in group order, from the schedule's input and result (core-
 * and GPU-hours of the scheduled tasks); `partitionOf` names each group's partition.
 */
export function groupRows(
  tasks: ScheduleTasks,
  result: Schedule,
  partitionOf?: (group: number) => string | undefined,
): GroupRow[] {
  const names = tasks.groups ?? ['all'];
  const g = names.length;
  const count = new Float64Array(g);
  const lo = (init: number) => ({
    cores: new Float64Array(g).fill(init),
    memory: new Float64Array(g).fill(init),
    runtime: new Float64Array(g).fill(init),
  });
  const min = lo(Number.POSITIVE_INFINITY);
  const max = lo(Number.NEGATIVE_INFINITY);
  for (let v = 0; v < tasks.dag.size; v++) {
    const k = tasks.group?.[v] ?? 0;
    count[k]!++;
    for (const key of ['cores', 'memory', 'runtime'] as const) {
      const x = tasks[key][v]!;
      if (x < min[key][k]!) min[key][k] = x;
      if (x > max[key][k]!) max[key][k] = x;
    }
  }
  return names.map((group, k) => {
    const range = (key: 'cores' | 'memory' | 'runtime'): [number, number] =>
      count[k]! > 0 ? [min[key][k]!, max[key][k]!] : [0, 0];
    const partition = partitionOf?.(k);
    const usage = result.byGroup[k];
    return {
      group,
      tasks: count[k]!,
      cores: range('cores'),
      memory: range('memory'),
      runtime: range('runtime'),
      ...(partition !== undefined ? { partition } : {}),
      coreHours: usage?.coreHours ?? 0,
      gpuHours: usage?.gpuHours ?? 0,
    };
  });
}

/** The rows as an aligned text table with a header; a range prints as `1G-4G`. */
export function formatGroupTable(rows: readonly GroupRow[]): string {
  const span = (r: readonly [number, number], f: (x: number) => string) =>
    r[0] === r[1] ? f(r[0]) : `${f(r[0])}-${f(r[1])}`;
  const hasPartition = rows.some((r) => r.partition !== undefined);
  const hasGpus = rows.some((r) => r.gpuHours > 0);
  const header = [
    'group',
    'tasks',
    'cores',
    'memory',
    'runtime',
    ...(hasPartition ? ['partition'] : []),
    'core-h',
    ...(hasGpus ? ['gpu-h'] : []),
  ];
  const body = rows.map((r) => [
    r.group,
    String(r.tasks),
    span(r.cores, String),
    span(r.memory, formatMemory),
    span(r.runtime, formatDuration),
    ...(hasPartition ? [r.partition ?? '-'] : []),
    hours(r.coreHours),
    ...(hasGpus ? [hours(r.gpuHours)] : []),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, c) => table.reduce((w, row) => Math.max(w, row[c]!.length), 0));
  const numeric = new Set([1, header.length - 1, ...(hasGpus ? [header.length - 2] : [])]);
  return `${table
    .map((row) =>
      row
        .map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

function hours(h: number): string {
  return h >= 100 ? h.toFixed(0) : h >= 10 ? h.toFixed(1) : h.toFixed(2);
}

export interface TimelineOptions {
  /** Columns of the bars (default 60). */
  readonly width?: number;
  /** Rows shown; the rest are summed into one last row (default 12). */
  readonly rows?: number;
  /** A row per group (default) or per node of the budget. */
  readonly by?: 'group' | 'node';
}

const SHADES = [' ', '░', '▒', '▓', '█'];

/**
 * A text timeline of the schedule, bounded in width and height whatever the task count: a row
 * per group (or node), each column shaded by the cores the row uses then, relative to the peak.
 * Cost O(V·W) for W columns.
 */
export function formatTimeline(
  tasks: ScheduleTasks,
  result: Schedule,
  options: TimelineOptions = {},
): string {
  const width = Math.max(8, options.width ?? 60);
  const limit = Math.max(1, options.rows ?? 12);
  const by = options.by ?? 'group';
  let nodes = 0;
  for (let v = 0; v < result.node.length; v++) nodes = Math.max(nodes, result.node[v]! + 1);
  const names =
    by === 'node' ? Array.from({ length: nodes }, (_, k) => `node ${k}`) : [...(tasks.groups ?? ['all'])];
  const makespan = result.makespan;
  if (makespan <= 0 || names.length === 0) return '(nothing scheduled)\n';
  const col = makespan / width;
  const use = names.map(() => new Float64Array(width));
  for (let v = 0; v < tasks.dag.size; v++) {
    const s = result.start[v]!;
    if (s < 0) continue;
    const e = result.end[v]!;
    const row = by === 'node' ? result.node[v]! : (tasks.group?.[v] ?? 0);
    const c = tasks.cores[v]!;
    const first = Math.min(width - 1, Math.floor(s / col));
    const last = Math.min(width - 1, Math.ceil(e / col) - 1);
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(e, (i + 1) * col) - Math.max(s, i * col);
      if (overlap > 0) use[row]![i]! += (c * overlap) / col;
    }
  }
  let order = names.map((_, i) => i);
  if (names.length > limit) {
    const weight = (i: number) => use[i]!.reduce((a, b) => a + b, 0);
    order = order
      .sort((a, b) => weight(b) - weight(a) || a - b)
      .slice(0, limit - 1)
      .sort((a, b) => a - b);
    const shown = new Set(order);
    const rest = new Float64Array(width);
    for (let i = 0; i < names.length; i++)
      if (!shown.has(i)) for (let j = 0; j < width; j++) rest[j]! += use[i]![j]!;
    use.push(rest);
    names.push(`… ${names.length - order.length} more`);
    order.push(names.length - 1);
  }
  const peak = Math.max(result.peakCores, 1e-9);
  const labelWidth = Math.min(
    24,
    order.reduce((w, i) => Math.max(w, names[i]!.length), 0),
  );
  const label = (s: string) =>
    s.length > labelWidth ? `${s.slice(0, labelWidth - 1)}…` : s.padEnd(labelWidth);
  const lines = [`${' '.repeat(labelWidth + 2)}${axis(width, makespan)}`];
  for (const i of order) {
    const bar = Array.from(use[i]!, (x) =>
      x <= 0 ? SHADES[0] : SHADES[Math.min(4, Math.max(1, Math.ceil((x / peak) * 4)))],
    ).join('');
    lines.push(`${label(names[i]!)} │${bar}│`);
  }
  lines.push(
    `${' '.repeat(labelWidth + 2)}░ ▒ ▓ █: up to 1/4, 1/2, 3/4, all of the peak of ${result.peakCores} cores`,
  );
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}

/**
 * Time labels over the `width` columns of the bars (column i starts at i/width of the
 * makespan): 0s at the left, the makespan ending at the right, ticks between where they fit.
 */
function axis(width: number, makespan: number): string {
  const cells = Array.from({ length: width }, () => ' ');
  const put = (text: string, at: number) => {
    for (let i = 0; i < text.length; i++) cells[at + i] = text[i]!;
  };
  const end = formatDuration(makespan);
  const endAt = Math.max(0, width - end.length);
  let free = 0; // the first column a label may use
  const ticks = 4;
  for (let k = 0; k < ticks; k++) {
    const at = Math.round((width * k) / ticks);
    // Whole minutes read better than 1h7m30s, once the run is longer than a few minutes.
    const t = (makespan * at) / width;
    const text = formatDuration(makespan >= 600 ? Math.round(t / 60) * 60 : t);
    if (at < free || at + text.length >= endAt) continue;
    put(text, at);
    free = at + text.length + 1;
  }
  put(end, endAt);
  return cells.join('');
}

/** The chain that sets the makespan, a line per task: `c  1h-2h  after a`. */
export function formatChain(chain: readonly ChainLink[], name: (task: number) => string): string[] {
  return chain.map((l) => {
    const when = `${formatDuration(l.start)}-${formatDuration(l.end)}`;
    const why =
      l.waited === 'start'
        ? 'at the start'
        : l.waited === 'dependency'
          ? `after ${name(l.after)}`
          : `waited for room until ${name(l.after)} ended`;
    return `${name(l.task)}  ${when}  ${why}`;
  });
}

/** A line per task that fits no node: `big: needs 8 cores, a node has 4`. */
export function formatUnfit(unfit: readonly Unfit[], name: (task: number) => string): string[] {
  return unfit.map((u) => {
    const f = u.limit === 'memory' ? formatMemory : String;
    const what: Record<Unfit['limit'], string> = {
      cores: `${f(u.requested)} cores, a node has ${f(u.available)}`,
      memory: `${f(u.requested)} of memory, a node has ${f(u.available)}`,
      gpus: `${f(u.requested)} GPUs, a node has ${f(u.available)}`,
      nodes: `${u.requested} nodes; the plan places a task on one node`,
      'max-cores': `${f(u.requested)} cores, the budget allows ${f(u.available)} at once`,
    };
    return `${name(u.task)}: needs ${what[u.limit]}`;
  });
}
