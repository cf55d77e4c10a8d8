/** How progress is shown: the live dashboard, plain lines (CI, pipes), or JSON events. */
export type UiMode = 'dashboard' | 'plain' | 'json';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The one place that picks the output mode: an explicit `--ui` flag wins, then the environment
 * (`CI` set and not `false`/`0`, or `TERM=dumb`, means plain), then plain when stdout is not a
 * terminal, else the dashboard.
 */
export function chooseUi({ flag, env, isTTY }: { flag?: UiMode; env: Env; isTTY: boolean }): UiMode {
  if (flag !== undefined) return flag;
  if (isCi(env)) return 'plain';
  if (env.TERM === 'dumb') return 'plain';
  return isTTY ? 'dashboard' : 'plain';
}

function isCi(env: Env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== 'false' && ci !== '0';
}

/**
 * Whether to colour output: `FORCE_COLOR` decides when set (`0`/`false` off, anything else on),
 * then a non-empty `NO_COLOR` turns colour off (no-color.org), then `TERM=dumb`, then the TTY.
 */
export function colorEnabled({ env, isTTY }: { env: Env; isTTY: boolean }): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}
