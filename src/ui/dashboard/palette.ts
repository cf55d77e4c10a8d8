import type { TaskState } from '../../exec/events.js';

/** A colour name Ink understands. */
export type Colour = 'green' | 'red' | 'cyan' | 'blue' | 'gray' | 'yellow' | 'magenta';

/** How one task state is drawn: with colour, and without (where the glyph alone must tell states apart). */
export interface StateStyle {
  readonly colour: Colour;
  /** Icon used with colour. */
  readonly icon: string;
  /** Bar cell used with colour; states share cells and differ by colour. */
  readonly cell: string;
  /** Without colour: a distinct ASCII character, used both in bars and as the counts' legend. */
  readonly mark: string;
  readonly label: string;
  readonly short: string;
}

export const STATE_STYLE: Readonly<Record<TaskState, StateStyle>> = {
  pending: { colour: 'gray', icon: '·', cell: '░', mark: '.', label: 'pending', short: 'pend' },
  queued: { colour: 'blue', icon: '◷', cell: '▒', mark: '~', label: 'queued', short: 'queue' },
  running: { colour: 'cyan', icon: '▶', cell: '▓', mark: '>', label: 'running', short: 'run' },
  succeeded: { colour: 'green', icon: '✔', cell: '█', mark: '=', label: 'succeeded', short: 'ok' },
  failed: { colour: 'red', icon: '✘', cell: '█', mark: 'X', label: 'failed', short: 'fail' },
  skipped: { colour: 'yellow', icon: '⊘', cell: '█', mark: '-', label: 'skipped', short: 'skip' },
  cancelled: { colour: 'magenta', icon: '■', cell: '█', mark: '/', label: 'cancelled', short: 'canc' },
};

/** Finished work first, then work in flight, then work not started: the bar fills from the left. */
export const BAR_ORDER: readonly TaskState[] = [
  'succeeded',
  'failed',
  'cancelled',
  'skipped',
  'running',
  'queued',
  'pending',
];

/** The glyph that stands for a state in counts: the coloured icon, or the bar's mark without colour. */
export function glyph(state: TaskState, noColor: boolean): string {
  const s = STATE_STYLE[state];
  return noColor ? s.mark : s.icon;
}
