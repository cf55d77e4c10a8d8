import type { Placement, RunStatus, TaskState } from '../../exec/events.js';
import { layoutCounts } from './counts.js';
import { sanitizeLine, shellQuote } from './format.js';
import type { UiState } from './keys.js';
import { eta, throughput } from './metrics.js';
import {
  countsOf,
  type DashboardState,
  type FailureCause,
  type FailureRecord,
  type FinishedLine,
  STATE_INDEX,
} from './reducer.js';
import { autoExpanded, type Rows, STATES, visibleOrder } from './tree.js';

/** The top line: what runs, where, for how long, and how fast. */
export interface HeaderView {
  readonly campaign: string;
  readonly runId: string;
  readonly scheduler: string;
  readonly phase: DashboardState['phase'];
  readonly status: RunStatus | undefined;
  readonly elapsedMs: number;
  readonly etaMs: number | undefined;
  readonly throughput: number | undefined;
  readonly cancelRequested: boolean;
}

export interface TreeRowView {
  readonly row: number;
  readonly depth: number;
  readonly name: string;
  readonly kind: 'group' | 'fanout' | 'task';
  readonly open: boolean;
  readonly selected: boolean;
  readonly counts: Readonly<Record<TaskState, number>>;
  readonly total: number;
}

export interface TreeView {
  readonly rows: readonly TreeRowView[];
  /** Position of the first drawn row among `of` visible rows (for "3–10 of 42"). */
  readonly first: number;
  readonly of: number;
  readonly failuresOnly: boolean;
}

export interface RunningRowView {
  readonly id: string;
  readonly elapsedMs: number;
  readonly limitMs: number | undefined;
  readonly attempt: number;
  readonly where: string;
}

export interface RunningView {
  readonly rows: readonly RunningRowView[];
  readonly total: number;
}

export interface FailureView {
  readonly id: string;
  readonly kind: FailureCause;
  readonly message: string;
  readonly attempt: number;
  /** The stderr log, when this failure has room for its path. */
  readonly logPath: string | undefined;
  readonly tail: readonly string[];
}

export interface FailuresView {
  readonly items: readonly FailureView[];
  readonly total: number;
  readonly retried: number;
}

export interface LogPanelView {
  readonly rowName: string;
  readonly taskId: string | undefined;
  readonly path: string | undefined;
  readonly lines: readonly string[];
}

export interface LegendView {
  readonly failuresOnly: boolean;
  readonly logOpen: boolean;
  readonly canCancel: boolean;
}

/** Everything the live screen draws; each section is exactly as tall as its rows. */
export interface LiveView {
  readonly kind: 'live';
  readonly columns: number;
  readonly noColor: boolean;
  readonly header: HeaderView;
  /** Undefined until the run has started. */
  readonly counts: Readonly<Record<TaskState, number>> | undefined;
  readonly showBar: boolean;
  readonly showCounts: boolean;
  readonly tree: TreeView | undefined;
  readonly running: RunningView | undefined;
  readonly failures: FailuresView | undefined;
  readonly log: LogPanelView | undefined;
  readonly prompt: 'cancel' | 'quit' | undefined;
  readonly legend: LegendView | undefined;
}

/** What stays on screen when the run is over. */
export interface SummaryView {
  readonly kind: 'summary';
  readonly columns: number;
  readonly noColor: boolean;
  readonly header: HeaderView;
  readonly counts: Readonly<Record<TaskState, number>>;
  readonly durationMs: number;
  readonly failures: FailuresView;
  readonly retryCommand: string | undefined;
  /** Everything was up to date: the run had nothing to do. */
  readonly nothingToDo: boolean;
  /** Why the run stopped handing out work, if it had to. */
  readonly halted: string | undefined;
  /** Tasks whose retries asked for more memory or time, with each step. */
  readonly escalations: readonly { readonly id: string; readonly steps: readonly string[] }[];
}

export type DashboardView = LiveView | SummaryView;

export interface ViewOptions {
  readonly now: number;
  readonly columns: number;
  readonly rows: number;
  readonly noColor: boolean;
  /** The campaign file, for the retry command. */
  readonly file: string;
  /** First drawn tree row last time, so the tree scrolls only as far as the selection needs. */
  readonly scroll: number;
  /** The last `n` lines of a log; `live` when the attempt is still writing it. */
  readonly tail: (path: string, n: number, live: boolean) => readonly string[];
}

/** The view plus what key handling needs to know about the tree as drawn. */
export interface Selection {
  readonly view: DashboardView;
  readonly order: readonly number[];
  readonly open: ReadonlySet<number>;
  readonly selected: number;
  readonly scroll: number;
}

const TAIL_LINES = 3;
const TAIL_LINES_FAILURES_ONLY = 10;

/**
 * Turns the run state and the UI state into what to draw, fitted to `rows` x `columns`: the live
 * area never takes more than `rows - 1` lines. Reads at most a screenful of rows and tasks.
 */
export function selectView(s: DashboardState, ui: UiState, o: ViewOptions): Selection {
  const header: HeaderView = {
    campaign: s.campaign,
    runId: s.runId,
    scheduler: s.scheduler,
    phase: s.phase,
    status: s.status,
    elapsedMs: s.startedAt === undefined ? 0 : (s.finishedAt ?? o.now) - s.startedAt,
    etaMs: eta(s, o.now),
    throughput: throughput(s, o.now),
    cancelRequested: ui.cancelRequested,
  };
  if (s.phase === 'finished') {
    return { view: summary(s, header, o), order: [], open: new Set(), selected: ui.selected, scroll: 0 };
  }
  return live(s, ui, header, o);
}

interface Section {
  readonly name: 'tree' | 'running' | 'failures' | 'log';
  readonly min: number;
  want: number;
  alloc: number;
}

function live(s: DashboardState, ui: UiState, header: HeaderView, o: ViewOptions): Selection {
  const height = Math.max(1, o.rows - 1);
  const started = s.phase !== 'waiting';
  const counts = countsOf(s.counts);
  let budget = height - 1;
  const legend = budget >= 1;
  if (legend) budget--;
  const showBar = started && budget >= 1;
  if (showBar) budget--;
  const countLines = started ? layoutCounts(counts, o.columns, o.noColor).length : 0;
  const showCounts = started && budget >= countLines;
  if (showCounts) budget -= countLines;

  const rows = s.rows;
  const include = ui.failuresOnly
    ? (r: number) => rows.counts[r * STATES + STATE_INDEX.failed]! > 0
    : undefined;
  const sections: Section[] = [];
  if (started && rows.size > 0) {
    // The top level of the tree is the overview: up to four of its rows are kept when space is short.
    const roots = include ? rows.roots.filter(include).length : rows.roots.length;
    sections.push({ name: 'tree', min: 1 + Math.min(4, Math.max(1, roots)), want: 2, alloc: 0 });
  }
  if (ui.logOpen) sections.push({ name: 'log', min: 2, want: budget, alloc: 0 });
  else {
    if (!ui.failuresOnly && s.running.size > 0) {
      sections.push({ name: 'running', min: 2, want: 1 + s.running.size, alloc: 0 });
    }
    if (s.failuresTotal > 0 || ui.failuresOnly) {
      const per = 2 + (ui.failuresOnly ? TAIL_LINES_FAILURES_ONLY : TAIL_LINES);
      sections.push({
        name: 'failures',
        min: s.failuresTotal > 0 ? 2 : 1,
        want: 1 + Math.min(s.failures.length, budget) * per,
        alloc: 0,
      });
    }
  }
  // Too short for every section: drop the running list first, then the tree.
  for (const drop of ['running', 'tree', 'failures', 'log'] as const) {
    if (sections.reduce((n, x) => n + x.min, 0) <= budget) break;
    const k = sections.findIndex((x) => x.name === drop);
    if (k >= 0) sections.splice(k, 1);
  }
  const tree = sections.find((x) => x.name === 'tree');
  if (tree) {
    const others = sections.reduce((n, x) => n + (x === tree ? 0 : x.min), 0);
    const open = autoExpanded(rows, Math.max(1, budget - others - 1), ui.expanded, include);
    tree.want = Math.max(tree.min, 1 + visibleOrder(rows, open, include).length);
  }
  distribute(sections, budget);

  let order: number[] = [];
  let open: ReadonlySet<number> = new Set();
  let selected = ui.selected;
  let scroll = o.scroll;
  let treeView: TreeView | undefined;
  if (tree) {
    const h = tree.alloc - 1;
    open = autoExpanded(rows, h, ui.expanded, include);
    order = visibleOrder(rows, open, include);
    let at = order.indexOf(selected);
    if (at < 0) {
      at = 0;
      selected = order[0] ?? -1;
    }
    scroll = Math.min(Math.max(0, scroll, at - h + 1), at, Math.max(0, order.length - h));
    const shown = order.slice(scroll, scroll + h);
    treeView = {
      rows: shown.map((r) => treeRow(rows, r, open.has(r), r === selected)),
      first: scroll,
      of: order.length,
      failuresOnly: ui.failuresOnly,
    };
    // Rows the tree did not need go to the sections below it.
    const used = 1 + Math.max(1, shown.length);
    if (used < tree.alloc) {
      const spare = tree.alloc - used;
      tree.alloc = used;
      tree.want = used;
      distribute(
        sections.filter((x) => x !== tree),
        spare + sections.reduce((n, x) => n + (x === tree ? 0 : x.alloc), 0),
      );
    }
  }
  const alloc = (name: Section['name']) => sections.find((x) => x.name === name)?.alloc ?? 0;

  const view: LiveView = {
    kind: 'live',
    columns: o.columns,
    noColor: o.noColor,
    header,
    counts: started ? counts : undefined,
    showBar,
    showCounts,
    tree: treeView,
    running: alloc('running') > 0 ? runningView(s, alloc('running') - 1, o.now) : undefined,
    failures:
      alloc('failures') > 0
        ? failuresView(s, alloc('failures') - 1, ui.failuresOnly ? 6 : 3, ui.failuresOnly, o)
        : undefined,
    log: alloc('log') > 0 ? logPanel(s, selected, alloc('log') - 1, o) : undefined,
    prompt: ui.prompt,
    legend: legend
      ? { failuresOnly: ui.failuresOnly, logOpen: ui.logOpen, canCancel: !ui.cancelRequested && started }
      : undefined,
  };
  return { view, order, open, selected, scroll };
}

/** Gives each section its minimum, then one line at a time to those that want more. */
function distribute(sections: Section[], budget: number): void {
  let left = budget;
  for (const x of sections) {
    x.alloc = Math.min(x.min, x.want, Math.max(0, left));
    left -= x.alloc;
  }
  while (left > 0) {
    let gave = false;
    for (const x of sections) {
      if (left > 0 && x.alloc < x.want) {
        x.alloc++;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
}

function treeRow(rows: Rows, r: number, open: boolean, selected: boolean): TreeRowView {
  return {
    row: r,
    depth: rows.depth[r]!,
    name: rows.name[r]!,
    kind: rows.isGroup[r] ? 'group' : rows.isFanout[r] ? 'fanout' : 'task',
    open,
    selected,
    counts: countsOf(rows.counts, r * STATES),
    total: rows.total[r]!,
  };
}

function runningView(s: DashboardState, n: number, now: number): RunningView {
  const out: RunningRowView[] = [];
  const { tasks } = s;
  for (const i of s.running) {
    if (out.length >= n) break;
    const limit = tasks.limitS[i]!;
    out.push({
      id: tasks.ids[i]!,
      elapsedMs: Math.max(0, now - tasks.startedAt[i]!),
      limitMs: Number.isNaN(limit) ? undefined : limit * 1000,
      attempt: tasks.attempt[i]!,
      where: describePlacement(tasks.where.get(i)),
    });
  }
  return { rows: out, total: s.running.size };
}

/** `pid 4242`, `job 81234_7@n12`. */
export function describePlacement(p: Placement | undefined): string {
  if (!p) return '';
  const base = p.jobId !== undefined ? `job ${p.jobId}` : p.pid !== undefined ? `pid ${p.pid}` : '';
  return p.host ? (base ? `${base}@${p.host}` : p.host) : base;
}

/**
 * Fits the latest failures into `budget` lines: a line each for as many as `perFailure` allows,
 * then their log paths, then stderr tails (latest failure first).
 */
function failuresView(
  s: DashboardState,
  budget: number,
  perFailure: number,
  failuresOnly: boolean,
  o: ViewOptions,
): FailuresView {
  const latest: FailureRecord[] = [];
  for (let k = s.failures.length - 1; k >= 0 && latest.length < budget; k--) latest.push(s.failures[k]!);
  const n = Math.min(latest.length, Math.max(budget > 0 ? 1 : 0, Math.floor(budget / perFailure)));
  const picked = latest.slice(0, n);
  let left = budget - n;
  const withLog = picked.map((f) => {
    const show = left > 0 && f.logs !== undefined;
    if (show) left--;
    return show;
  });
  const maxTail = failuresOnly ? TAIL_LINES_FAILURES_ONLY : TAIL_LINES;
  const items = picked.map((f, k): FailureView => {
    let tail: readonly string[] = [];
    const want = Math.min(maxTail, left);
    if (want > 0 && f.logs) {
      tail = o
        .tail(f.logs.err, want, false)
        .map(sanitizeLine)
        .filter((l) => l !== '')
        .slice(-want);
      left -= tail.length;
    }
    return {
      id: f.id,
      kind: f.kind,
      message: f.message,
      attempt: f.attempt,
      logPath: withLog[k] ? f.logs?.err : undefined,
      tail,
    };
  });
  return { items, total: s.failuresTotal, retried: s.retried };
}

function logPanel(s: DashboardState, row: number, n: number, o: ViewOptions): LogPanelView {
  const rows = s.rows;
  const rowName = row >= 0 ? rows.key[row]! : '';
  const ref = row >= 0 ? (rows.lastFailureLog[row] ?? rows.lastLog[row]) : undefined;
  if (!ref) return { rowName, taskId: undefined, path: undefined, lines: [] };
  const i = s.tasks.index.get(ref.taskId);
  const isLive = i !== undefined && s.running.has(i);
  const lines = n > 0 ? o.tail(ref.err, n, isLive).map(sanitizeLine).slice(-n) : [];
  return { rowName, taskId: ref.taskId, path: ref.err, lines };
}

/** Lines of a failed task's stderr in the summary that stays on screen. */
const SUMMARY_TAIL_LINES = 3;

function summary(s: DashboardState, header: HeaderView, o: ViewOptions): SummaryView {
  const counts = s.finalCounts ?? countsOf(s.counts);
  const height = Math.max(1, o.rows - 1);
  const failed = counts.failed;
  const total = s.failuresTotal;
  const listed = Math.min(s.failures.length, total);
  // Lines left for the failures once header, bar, counts, their title and the retry command are in.
  const avail =
    height -
    2 -
    layoutCounts(counts, o.columns, o.noColor).length -
    (failed > 0 ? 1 : 0) -
    (total > 0 ? 1 : 0);
  // Each failure wants two lines (what failed, and its log); a last line says how many are not shown.
  let n = Math.min(listed, Math.floor(avail / 2));
  if (n < total) n = Math.min(listed, Math.floor((avail - 1) / 2));
  if (n === 0 && listed > 0 && avail >= 1) n = 1;
  let left = Math.max(0, avail - n - (n < total ? 1 : 0));
  const items: FailureView[] = [];
  for (let k = s.failures.length - 1; k >= 0 && items.length < n; k--) {
    const f = s.failures[k]!;
    const showLog = left > 0 && f.logs !== undefined;
    if (showLog) left--;
    // The last lines of its stderr, as far as the screen has room.
    const want = Math.min(SUMMARY_TAIL_LINES, left);
    const tail =
      want > 0 && f.logs
        ? o
            .tail(f.logs.err, want, false)
            .map(sanitizeLine)
            .filter((l) => l !== '')
            .slice(-want)
        : [];
    left -= tail.length;
    items.push({
      id: f.id,
      kind: f.kind,
      message: f.message,
      attempt: f.attempt,
      logPath: showLog ? f.logs?.err : undefined,
      tail,
    });
  }
  return {
    kind: 'summary',
    columns: o.columns,
    noColor: o.noColor,
    header,
    counts,
    durationMs: header.elapsedMs,
    failures: { items, total: s.failuresTotal, retried: s.retried },
    retryCommand: failed > 0 ? `campaign run ${shellQuote(o.file)} --retry-failed` : undefined,
    nothingToDo: s.toDo === 0 && s.status === 'succeeded',
    halted: s.halted,
    escalations: [...s.escalations].map(([id, steps]) => ({ id, steps })),
  };
}

/** One scroll-back line, resolved to names (the view of a `FinishedLine`). */
export type FinishedLineView =
  | {
      readonly key: number;
      readonly kind: 'row';
      readonly name: string;
      readonly fanout: boolean;
      readonly counts: Readonly<Record<TaskState, number>>;
      readonly durationMs: number | undefined;
    }
  | { readonly key: number; readonly kind: 'failure'; readonly failure: FailureView }
  | { readonly key: number; readonly kind: 'note'; readonly text: string };

/** Resolves the scroll-back lines from `from` on (they never change once written). */
export function finishedLines(s: DashboardState, from: number): FinishedLineView[] {
  return s.finished.slice(from).map((l) => finishedLine(s, l));
}

function finishedLine(s: DashboardState, l: FinishedLine): FinishedLineView {
  if (l.kind === 'note') return l;
  if (l.kind === 'failure') {
    const f = l.failure;
    return {
      key: l.key,
      kind: 'failure',
      failure: {
        id: f.id,
        kind: f.kind,
        message: f.message,
        attempt: f.attempt,
        logPath: f.logs?.err,
        tail: [],
      },
    };
  }
  return {
    key: l.key,
    kind: 'row',
    name: s.rows.key[l.row]!,
    fanout: s.rows.isFanout[l.row] === 1,
    counts: countsOf(l.counts),
    durationMs: l.durationMs,
  };
}
