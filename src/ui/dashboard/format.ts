/** Text helpers for a fixed-width terminal, counting cells: wide (CJK, emoji) characters take two. */

function cellWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

export function textWidth(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Printable ASCII is by far the most common: skip the code point work for it.
    if (c >= 0x20 && c < 0x7f) n++;
    else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) i++;
      n += cellWidth(cp);
    }
  }
  return n;
}

/** Cuts `s` to `width` cells, ending with `…` when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const w = cellWidth(ch.codePointAt(0)!);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Cuts the start of `s` instead (for paths, whose end says the most). */
export function truncateStart(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  const cps = [...s];
  let out = '';
  let used = 0;
  for (let k = cps.length - 1; k >= 0; k--) {
    const w = cellWidth(cps[k]!.codePointAt(0)!);
    if (used + w > width - 1) break;
    out = cps[k]! + out;
    used += w;
  }
  return `…${out}`;
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
