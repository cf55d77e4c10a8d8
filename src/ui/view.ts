import type { EventSink } from '../exec/events.js';
import { shellQuote } from '../model/shell.js';
import { JsonLines } from './json-lines.js';
import { tail } from './log-tail.js';
import { chooseUi, colorEnabled, type UiMode } from './mode.js';
import { PlainReporter } from './plain.js';

export interface ViewOptions {
  /** `--ui`, if given. */
  readonly ui: UiMode | undefined;
  /** The campaign file, for the retry command. */
  readonly file: string;
  readonly stdout: { line: (text: string) => void; flush: () => void };
  /** Whether the work goes on when the view is left (a watched run, a batch scheduler). */
  readonly canDetach: boolean;
  /** The user asked to cancel the run (dashboard `c`, or leaving a run that cannot go on alone). */
  readonly onCancel: () => void;
  /** Ctrl-C in the dashboard (raw mode swallows the signal). */
  readonly onInterrupt?: () => void;
  /** The user left the view (`q`) of work that goes on without it. */
  readonly onLeave?: () => void;
}

export interface View {
  readonly sink: EventSink;
  readonly mode: UiMode;
  /** Whether the user left the view (`q`). */
  left(): boolean;
}

/** Opens the view the mode calls for: the Ink dashboard, plain lines, or JSON events. */
export async function openView(opts: ViewOptions): Promise<View> {
  const mode = chooseUi({
    ...(opts.ui ? { flag: opts.ui } : {}),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  });
  const retry = `campaign run ${shellQuote(opts.file)} --retry-failed`;
  if (mode === 'json') return { mode, sink: new JsonLines(opts.stdout.line), left: () => false };
  if (mode === 'plain')
    return { mode, sink: new PlainReporter(opts.stdout.line, retry, tail), left: () => false };
  // Loaded only for the dashboard: a plain run never pays for React.
  const { startDashboard } = await import('./dashboard/index.js');
  let left = false;
  const handle = startDashboard({
    file: opts.file,
    noColor: !colorEnabled({ env: process.env, isTTY: process.stdout.isTTY === true }),
    readLogTail: tail,
    onCancel: opts.onCancel,
    onQuit: () => {
      left = true;
      opts.onLeave?.();
    },
    ...(opts.onInterrupt ? { onInterrupt: opts.onInterrupt } : {}),
    canDetach: opts.canDetach,
  });
  return {
    mode,
    sink: {
      handle: (e) => handle.sink.handle(e),
      close: async () => {
        await handle.sink.close?.();
      },
    },
    left: () => left,
  };
}
