import { render, useInput, useStdin } from 'ink';
import type { ReactElement } from 'react';
import type { EngineEvent, EventSink } from '../../exec/events.js';
import { Screen } from './Dashboard.js';
import { type DashboardKey, initialUi, onKey as nextUi, parseKey, type UiState } from './keys.js';
import { createDashboardState, type DashboardState, reduce } from './reducer.js';
import { type FinishedLineView, finishedLines, type Selection, selectView } from './view.js';

export interface DashboardOptions {
  readonly stdout?: NodeJS.WriteStream;
  readonly stdin?: NodeJS.ReadStream;
  /** Size overrides; otherwise read from `stdout` (and re-read when it is resized). */
  readonly columns?: number;
  readonly rows?: number;
  /** No colour and no other ANSI styling; bars use one character per state. */
  readonly noColor?: boolean;
  /** The campaign file, for the retry command in the summary. */
  readonly file: string;
  /** The last `n` lines of a log file. Called by the controller, never while drawing. */
  readonly readLogTail?: (path: string, n: number) => readonly string[];
  /** The user confirmed `c` (or confirmed leaving a run that cannot be left running). */
  readonly onCancel?: () => void;
  /** The user left the view with `q`; the dashboard has unmounted. */
  readonly onQuit?: () => void;
  /** Ctrl-C: raw mode swallows the signal, so the keypress is handed on (default: raise SIGINT). */
  readonly onInterrupt?: () => void;
  /** Whether the run goes on without the view; if not, `q` asks to cancel it first. Default false. */
  readonly canDetach?: boolean;
  readonly now?: () => number;
  /** Least time between two redraws. Default 100 (at most 10 redraws a second). */
  readonly throttleMs?: number;
}

/** Figures for the benchmark and for tests. */
export interface DashboardStats {
  readonly events: number;
  readonly redraws: number;
  /** Longest time from an event arriving to the frame that shows it, in ms. */
  readonly maxLatencyMs: number;
  /** Time spent drawing, in ms (by the `now` clock). */
  readonly busyMs: number;
}

/**
 * Redraws are spaced by at least this many times what a frame costs, so that drawing takes about
 * an eighth of a core however large the terminal or slow the machine (Ink re-renders every cell of
 * the live area each frame); and never more than a second apart.
 */
const DUTY_FACTOR = 8;
const MAX_GAP_MS = 1000;

/**
 * React's development build (chosen when NODE_ENV is not `production`) records a performance
 * measure for every component update, and Node keeps them all: hundreds of KB a frame. The CLI
 * should run with NODE_ENV=production; if it does not, the dashboard drops those entries.
 */
const REACT_DEVELOPMENT_BUILD = process.env.NODE_ENV !== 'production';

export interface DashboardHandle {
  /** Feed the engine's events here; `close()` after the last one leaves the summary on screen. */
  readonly sink: EventSink;
  waitUntilExit(): Promise<void>;
  unmount(): void;
  stats(): DashboardStats;
}

/** A log line cache, so that a failure's tail is read once and a live tail at most once a second. */
function tailReader(read: DashboardOptions['readLogTail']) {
  const cache = new Map<string, { lines: readonly string[]; n: number; at: number }>();
  return (t: number) =>
    (path: string, n: number, live: boolean): readonly string[] => {
      if (!read) return [];
      const hit = cache.get(path);
      if (hit && hit.n >= n && (!live || t - hit.at < 1000)) return hit.lines.slice(-n);
      let lines: readonly string[];
      try {
        lines = read(path, n);
      } catch (err) {
        lines = [`(cannot read the log: ${err instanceof Error ? err.message : String(err)})`];
      }
      cache.delete(path);
      cache.set(path, { lines, n, at: t });
      if (cache.size > 256) cache.delete(cache.keys().next().value!);
      return lines;
    };
}

function Keys({ onKey, onInterrupt }: { onKey: (k: DashboardKey) => void; onInterrupt: () => void }) {
  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') return onInterrupt();
      // Ink reports a lone Esc as meta; other meta (Alt) chords are not ours.
      if (key.ctrl || (key.meta && !key.escape)) return;
      const k = parseKey(input, key);
      if (k) onKey(k);
    },
    { isActive: isRawModeSupported === true },
  );
  return null;
}

/**
 * Mounts the live dashboard. Events go into the reducer as they come (O(1) each); the screen is
 * redrawn at most every `throttleMs` (and less often when frames are expensive), and only when
 * something on it changed (counts, keys, size, or the elapsed second).
 */
export function startDashboard(opts: DashboardOptions): DashboardHandle {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const now = opts.now ?? Date.now;
  const throttleMs = opts.throttleMs ?? 100;
  const noColor = opts.noColor ?? false;
  const canDetach = opts.canDetach ?? false;
  const onInterrupt = opts.onInterrupt ?? (() => process.kill(process.pid, 'SIGINT'));
  const tails = tailReader(opts.readLogTail);
  const size = () => ({
    columns: opts.columns ?? stdout.columns ?? 80,
    rows: opts.rows ?? stdout.rows ?? 24,
  });

  let state: DashboardState = createDashboardState({ now: now() });
  let ui: UiState = initialUi;
  let nav: Selection | undefined;
  let scroll = 0;
  let finished: FinishedLineView[] = [];
  let lastSignature = '';
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let pendingSince: number | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let tickTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const stats = { events: 0, redraws: 0, maxLatencyMs: 0, busyMs: 0 };
  /** Smoothed time a frame takes to draw. */
  let frameCost = 0;
  const gap = () => Math.max(throttleMs, Math.min(MAX_GAP_MS, DUTY_FACTOR * frameCost));

  /** What decides whether the screen changed: run, keys, size, and the second shown as elapsed. */
  const signature = (t: number): string => {
    const { columns, rows } = size();
    const live = (state.phase === 'running' || state.phase === 'cancelling') && state.startedAt !== undefined;
    const second = live ? Math.floor((t - state.startedAt!) / 1000) : -1;
    return `${state.version}|${ui.version}|${columns}x${rows}|${second}`;
  };

  const compose = (t: number) => {
    const { columns, rows } = size();
    nav = selectView(state, ui, { now: t, columns, rows, noColor, file: opts.file, scroll, tail: tails(t) });
    scroll = nav.scroll;
    // The view settles the selection when the selected row is gone; that is not a change to redraw for.
    if (nav.selected !== ui.selected) ui = { ...ui, selected: nav.selected };
    if (state.finished.length > finished.length)
      finished = [...finished, ...finishedLines(state, finished.length)];
    return <Screen view={nav.view} finished={finished} />;
  };

  const draw = () => {
    const t = now();
    const sig = signature(t);
    if (sig !== lastSignature) {
      instance.rerender(root(compose(t)));
      if (REACT_DEVELOPMENT_BUILD) performance.clearMeasures();
      const done = now();
      const cost = done - t;
      frameCost = stats.redraws <= 1 ? cost : 0.7 * frameCost + 0.3 * cost;
      stats.busyMs += cost;
      lastSignature = sig;
      lastDrawAt = t;
      stats.redraws++;
      if (pendingSince !== undefined) stats.maxLatencyMs = Math.max(stats.maxLatencyMs, done - pendingSince);
    }
    pendingSince = undefined;
    scheduleTick(t);
  };

  const request = () => {
    if (closed || flushTimer !== undefined) return;
    flushTimer = setTimeout(
      () => {
        flushTimer = undefined;
        if (!closed) draw();
      },
      Math.max(0, lastDrawAt + gap() - now()),
    );
  };

  /** Draws now if the last frame is far enough behind, else as soon as it is. */
  const drawSoon = () => {
    if (closed) return;
    if (flushTimer === undefined && now() >= lastDrawAt + gap()) draw();
    else request();
  };

  /** While the run is live the elapsed time moves: wake up when the next second shows. */
  const scheduleTick = (t: number) => {
    if (tickTimer !== undefined) clearTimeout(tickTimer);
    tickTimer = undefined;
    if (
      closed ||
      state.startedAt === undefined ||
      (state.phase !== 'running' && state.phase !== 'cancelling')
    )
      return;
    const delay = 1000 - ((((t - state.startedAt) % 1000) + 1000) % 1000);
    tickTimer = setTimeout(() => {
      tickTimer = undefined;
      drawSoon();
    }, delay);
    tickTimer.unref?.();
  };

  const teardown = () => {
    if (closed) return;
    closed = true;
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    if (tickTimer !== undefined) clearTimeout(tickTimer);
    stdout.off('resize', onResize);
    instance.unmount();
  };

  const handleKey = (key: DashboardKey) => {
    if (closed) return;
    const { ui: next, effect } = nextUi(ui, key, {
      order: nav?.order ?? [],
      isGroup: (r) => state.rows.isGroup[r] === 1,
      isOpen: (r) => nav?.open.has(r) ?? false,
      canDetach,
      finished: state.phase === 'finished',
    });
    if (next !== ui) {
      ui = next;
      request();
    }
    if (effect === 'cancel' || effect === 'cancel-and-quit') opts.onCancel?.();
    if (effect === 'quit' || effect === 'cancel-and-quit') {
      teardown();
      opts.onQuit?.();
    }
  };

  const root = (screen: ReactElement) => (
    <>
      {screen}
      <Keys onKey={handleKey} onInterrupt={onInterrupt} />
    </>
  );

  // Listen before Ink does, and redraw at once: Ink repaints what it has at the new width, and a
  // frame laid out for the old width would wrap.
  const onResize = () => {
    if (!closed) draw();
  };
  stdout.on('resize', onResize);

  const t0 = now();
  const instance = render(root(compose(t0)), { stdout, stdin, exitOnCtrlC: false, patchConsole: false });
  lastSignature = signature(t0);
  lastDrawAt = t0;
  stats.redraws++;
  const exited = instance.waitUntilExit().then(() => undefined);
  exited.catch(() => {});

  const sink: EventSink = {
    handle(event: EngineEvent) {
      if (closed) return;
      stats.events++;
      const before = state.version;
      state = reduce(state, event);
      if (state.version !== before) {
        pendingSince ??= now();
        request();
      }
    },
    close() {
      if (!closed) {
        if (flushTimer !== undefined) clearTimeout(flushTimer);
        flushTimer = undefined;
        draw();
        teardown();
      }
      return exited;
    },
  };

  return {
    sink,
    waitUntilExit: () => exited,
    unmount: teardown,
    stats: () => ({ ...stats }),
  };
}

export type { DashboardKey } from './keys.js';
export type { DashboardState } from './reducer.js';
export { createDashboardState, reduce } from './reducer.js';
