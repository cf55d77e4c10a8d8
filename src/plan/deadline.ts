import { formatDuration, parseDuration } from '../model/units.js';
import {
  type ChainLink,
  type Schedule,
  type ScheduleBudget,
  type ScheduleOptions,
  type ScheduleTasks,
  schedule,
} from './schedule.js';

/** When a deadline falls, and how long is left of it at `now`. */
export interface Deadline {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Seconds from `now` to the deadline. */
  readonly remaining: number;
  /** Given as a duration from the run's start, not a date. */
  readonly relative: boolean;
}

export interface DeadlineError {
  readonly code: 'bad-deadline' | 'deadline-past';
  readonly message: string;
}

export interface DeadlineClock {
  /** Epoch milliseconds. */
  readonly now: number;
  /** When the run started (default: now): a duration counts from here. */
  readonly start?: number;
  /** The offset of local time from UTC in minutes, for a date or time without one (default 0). */
  readonly utcOffsetMinutes?: number;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads `deadline`: a date-time (ISO text, or a TOML datetime as @iarna/toml gives it, a Date)
 * or a duration from the run's start (`"36h"`). One already past is an error.
 */
export function parseDeadline(
  spec: unknown,
  clock: DeadlineClock,
): { ok: true; deadline: Deadline } | { ok: false; error: DeadlineError } {
  const offset = (clock.utcOffsetMinutes ?? 0) * 60_000;
  let at: number | undefined;
  let relative = false;
  if (spec instanceof Date) {
    // @iarna/toml marks local date-times and dates: their UTC fields are the wall clock.
    const local =
      (spec as { isFloating?: boolean; isDate?: boolean }).isFloating ||
      (spec as { isDate?: boolean }).isDate;
    at = Number.isNaN(spec.getTime()) ? undefined : spec.getTime() - (local ? offset : 0);
  } else if (typeof spec === 'string') {
    const m = ISO.exec(spec.trim());
    if (m) at = isoTime(m, offset);
    else {
      const s = parseDuration(spec);
      if (s !== undefined) {
        at = (clock.start ?? clock.now) + s * 1000;
        relative = true;
      }
    }
  }
  if (at === undefined || !Number.isFinite(at)) {
    return {
      ok: false,
      error: {
        code: 'bad-deadline',
        message: `the deadline must be a date-time (2026-12-01T00:00:00Z) or a duration from the start ("36h"), not ${JSON.stringify(spec instanceof Date ? spec.toISOString() : spec)}`,
      },
    };
  }
  if (at <= clock.now) {
    const ago = formatDuration(Math.ceil((clock.now - at) / 1000));
    return {
      ok: false,
      error: {
        code: 'deadline-past',
        message: `the deadline passed ${ago} ago (${new Date(at).toISOString()})`,
      },
    };
  }
  return { ok: true, deadline: { at, remaining: (at - clock.now) / 1000, relative } };
}

function isoTime(m: RegExpExecArray, localOffset: number): number | undefined {
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const utc = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
    ms,
  );
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined; // 2026-02-30
  if (zone === undefined) return utc - localOffset;
  if (zone === 'Z' || zone === 'z') return utc;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const minutes = (Number(z[2]) * 60 + Number(z[3])) * (z[1] === '-' ? -1 : 1);
  return utc - minutes * 60_000;
}

/** A budget that meets the deadline: the number of nodes, and the makespan it gives. */
export interface Suggestion {
  readonly nodes: number;
  readonly makespan: number;
  /** `with nodes = 6 the makespan is 31h40m` */
  readonly text: string;
}

/** How the schedule stands against the deadline. */
export interface DeadlineCheck {
  readonly met: boolean;
  readonly deadline: number;
  readonly makespan: number;
  /** Seconds the makespan misses the deadline by (0 when met). */
  readonly late: number;
  /** The chain of tasks that ends last, and the longest dependency path (by runtime). */
  readonly chain: readonly ChainLink[];
  readonly criticalPath: Schedule['criticalPath'];
  /** The fewest nodes found that meet it, when one up to `maxNodes` does. */
  readonly suggestion?: Suggestion;
  /** Why there is no suggestion. */
  readonly hopeless?: string;
  /** Every node count tried, in order, with its makespan. */
  readonly tried: readonly { readonly nodes: number; readonly makespan: number }[];
  /** `the makespan 4h30m misses the deadline 4h by 30m` */
  readonly text: string;
}

export interface DeadlineOptions extends ScheduleOptions {
  /** The most nodes the search may suggest (default 64). */
  readonly maxNodes?: number;
  /** The schedule on `budget`, if already made. */
  readonly scheduled?: Schedule;
}

/**
 * Checks the schedule on `budget` against a deadline `deadline` seconds away; when it misses,
 * binary-searches the node count from the budget's to `maxNodes` for the fewest that meets it.
 * List scheduling is not strictly monotone in the node count (Graham's anomalies), so the
 * answer is the smallest count the search found to meet it, with one node fewer found not to.
 */
export function checkDeadline(
  tasks: ScheduleTasks,
  budget: ScheduleBudget,
  deadline: number,
  options: DeadlineOptions = {},
): DeadlineCheck {
  const base = options.scheduled ?? schedule(tasks, budget, options);
  const tried = [{ nodes: budget.nodes, makespan: base.makespan }];
  const common = {
    deadline,
    makespan: base.makespan,
    chain: base.chain,
    criticalPath: base.criticalPath,
    tried,
  };
  const d = formatDuration(deadline);
  if (base.makespan <= deadline) {
    return {
      met: true,
      late: 0,
      ...common,
      text: `the makespan ${formatDuration(base.makespan)} meets the deadline ${d} with ${formatDuration(deadline - base.makespan)} to spare`,
    };
  }
  const late = base.makespan - deadline;
  const miss = `the makespan ${formatDuration(base.makespan)} misses the deadline ${d} by ${formatDuration(late)}`;
  if (base.criticalPath.seconds > deadline) {
    const hopeless = `the longest chain of dependencies alone takes ${formatDuration(base.criticalPath.seconds)}: no number of nodes meets the deadline`;
    return { met: false, late, ...common, hopeless, text: `${miss}; ${hopeless}` };
  }
  const maxNodes = Math.max(budget.nodes, options.maxNodes ?? 64);
  const makespanWith = (nodes: number): number => {
    const got = schedule(tasks, { ...budget, nodes }, options).makespan;
    tried.push({ nodes, makespan: got });
    return got;
  };
  const top = makespanWith(maxNodes);
  if (top > deadline) {
    const hopeless = `even with nodes = ${maxNodes} the makespan is ${formatDuration(top)}`;
    return { met: false, late, ...common, hopeless, text: `${miss}; ${hopeless}` };
  }
  // Fewer nodes than the work needs at full use cannot meet it: start the search above them.
  let lo = Math.max(budget.nodes, lowerBound(tasks, budget, deadline));
  let hi = maxNodes;
  let best = top;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const m = makespanWith(mid);
    if (m <= deadline) {
      hi = mid;
      best = m;
    } else lo = mid;
  }
  const suggestion = {
    nodes: hi,
    makespan: best,
    text: `with nodes = ${hi} the makespan is ${formatDuration(best)}`,
  };
  return { met: false, late, ...common, suggestion, text: `${miss}; ${suggestion.text}` };
}

/** The largest node count whose whole capacity over the deadline is less than the work. */
function lowerBound(tasks: ScheduleTasks, budget: ScheduleBudget, deadline: number): number {
  let coreSeconds = 0;
  let gpuSeconds = 0;
  for (let v = 0; v < tasks.dag.size; v++) {
    coreSeconds += tasks.cores[v]! * tasks.runtime[v]!;
    gpuSeconds += tasks.gpus[v]! * tasks.runtime[v]!;
  }
  const below = (work: number, perNode: number) =>
    Number.isFinite(perNode) && perNode > 0 && work > 0 ? Math.ceil(work / (perNode * deadline)) - 1 : 0;
  return Math.max(0, below(coreSeconds, budget.coresPerNode), below(gpuSeconds, budget.gpusPerNode));
}
