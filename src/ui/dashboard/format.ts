/** Text helpers for a fixed-width terminal; widths count code points (all glyphs used here are narrow). */

export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cuts `s` to `width` cells, ending with `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  const cps = [...s];
  if (cps.length <= width) return s;
  return width === 1 ? '…' : cps.slice(0, width - 1).join('') + '…';
}

/** Cuts the start of `s` instead (for paths, whose end says the most). */
export function truncateStart(s: string, width: number): string {
  if (width <= 0) return '';
  const cps = [...s];
  if (cps.length <= width) return s;
  return width === 1 ? '…' : '…' + cps.slice(cps.length - width + 1).join('');
}

export function padEnd(s: string, width: number): string {
  const w = textWidth(s);
  return w >= width ? s : s + ' '.repeat(width - w);
}

export function padStart(s: string, width: number): string {
  const w = textWidth(s);
  return w >= width ? s : ' '.repeat(width - w) + s;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `42s`, `12m03s`, `3h07m`, `2d04h`: two units at most, so columns stay narrow. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${pad2(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${pad2(m % 60)}m`;
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
}

/** `12,345`: grouped without the locale, so output is the same on every machine. */
export function formatCount(n: number): string {
  const s = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return n < 0 ? `-${out}` : out;
}

/** Tasks per second in the unit that keeps a digit before the point: `12/s`, `8.2/s`, `3.0/min`, `1.5/h`. */
export function formatRate(perSecond: number): string {
  if (perSecond <= 0) return '0/s';
  if (perSecond >= 10) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  if (perSecond * 60 >= 1) return `${(perSecond * 60).toFixed(1)}/min`;
  return `${(perSecond * 3600).toFixed(1)}/h`;
}

const ANSI = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** Makes a line of a log safe to draw: no escape sequences, no carriage-return overdraws, no tabs. */
export function sanitizeLine(line: string): string {
  const cr = line.lastIndexOf('\r', line.length - 2);
  const visible = cr >= 0 ? line.slice(cr + 1) : line;
  return visible.replace(ANSI, '').replace(/\t/g, '  ').replace(CONTROL, '').trimEnd();
}

/** Quotes an argument for a POSIX shell only when it needs it. */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
