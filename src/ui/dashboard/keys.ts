/** The keys the dashboard reacts to, after Ink has parsed the raw input. */
export type DashboardKey = 'up' | 'down' | 'enter' | 'escape' | 'q' | 'c' | 'f' | 'l' | 'y' | 'n';

/** What the user is looking at and has asked for; everything else on screen comes from the run. */
export interface UiState {
  /** Bumped on every change, so the controller can skip redraws when nothing changed. */
  readonly version: number;
  /** Selected tree row (a row index of the run's tree); -1 until the tree has rows. */
  readonly selected: number;
  /** Groups the user opened (true) or closed (false); the others follow the automatic fit. */
  readonly expanded: ReadonlyMap<number, boolean>;
  readonly failuresOnly: boolean;
  readonly logOpen: boolean;
  /** A question waiting for y/n. */
  readonly prompt: 'cancel' | 'quit' | undefined;
  readonly cancelRequested: boolean;
}

export const initialUi: UiState = {
  version: 0,
  selected: -1,
  expanded: new Map(),
  failuresOnly: false,
  logOpen: false,
  prompt: undefined,
  cancelRequested: false,
};

/** What the tree looks like right now, which keys need to move and open rows. */
export interface KeyContext {
  /** Rows in screen order, including those scrolled out of view. */
  readonly order: readonly number[];
  readonly isGroup: (row: number) => boolean;
  readonly isOpen: (row: number) => boolean;
  readonly canDetach: boolean;
  readonly finished: boolean;
}

/** Something the controller must do on the user's behalf. */
export type KeyEffect = 'cancel' | 'quit' | 'cancel-and-quit';

/** Maps raw Ink input to a dashboard key, or undefined for keys we ignore. */
export function parseKey(
  input: string,
  key: { upArrow?: boolean; downArrow?: boolean; return?: boolean; escape?: boolean },
): DashboardKey | undefined {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  switch (input) {
    case 'k':
      return 'up';
    case 'j':
      return 'down';
    case 'q':
    case 'c':
    case 'f':
    case 'l':
    case 'y':
    case 'n':
      return input;
    case 'Y':
      return 'y';
    case 'N':
      return 'n';
    default:
      return undefined;
  }
}

/** Pure: the next UI state for a key, and what the controller should do. */
export function onKey(ui: UiState, key: DashboardKey, ctx: KeyContext): { ui: UiState; effect?: KeyEffect } {
  const next = (patch: Partial<UiState>): UiState => ({ ...ui, ...patch, version: ui.version + 1 });
  if (ui.prompt !== undefined) {
    if (key === 'y') {
      const effect: KeyEffect = ui.prompt === 'quit' ? 'cancel-and-quit' : 'cancel';
      return { ui: next({ prompt: undefined, cancelRequested: true }), effect };
    }
    if (key === 'n' || key === 'escape' || key === 'q') return { ui: next({ prompt: undefined }) };
    return { ui };
  }
  switch (key) {
    case 'q':
      if (ctx.canDetach || ctx.finished || ui.cancelRequested) return { ui, effect: 'quit' };
      return { ui: next({ prompt: 'quit' }) };
    case 'c':
      if (ctx.finished || ui.cancelRequested) return { ui };
      return { ui: next({ prompt: 'cancel' }) };
    case 'f':
      return { ui: next({ failuresOnly: !ui.failuresOnly }) };
    case 'l':
      return { ui: next({ logOpen: !ui.logOpen }) };
    case 'escape':
      return ui.logOpen ? { ui: next({ logOpen: false }) } : { ui };
    case 'up':
    case 'down': {
      if (ctx.order.length === 0) return { ui };
      const at = ctx.order.indexOf(ui.selected);
      const to = at < 0 ? 0 : Math.min(ctx.order.length - 1, Math.max(0, at + (key === 'down' ? 1 : -1)));
      const row = ctx.order[to]!;
      return row === ui.selected ? { ui } : { ui: next({ selected: row }) };
    }
    case 'enter': {
      const row = ui.selected >= 0 ? ui.selected : ctx.order[0];
      if (row === undefined || !ctx.isGroup(row)) return { ui };
      const expanded = new Map(ui.expanded);
      expanded.set(row, !ctx.isOpen(row));
      return { ui: next({ expanded, selected: row }) };
    }
    case 'y':
    case 'n':
      return { ui };
  }
}
