import { formatDuration } from '../../model/units.js';

/** Bytes the way a person reads them: `512 B`, `91.8 MiB`, `2.00 GiB`. */
export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${Math.round(v)} B`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[u]}`;
}

/** A memory request in MiB. */
export function fmtMiB(mib: number): string {
  return fmtBytes(mib * 1024 * 1024);
}

/** Seconds: `0.93 s`, `12.4 s`, then `1m30s`, `2h5m`. */
export function fmtSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  return formatDuration(s);
}

/** A share in percent: `46%`, `<1%` for a share above 0 that rounds to 0. */
export function fmtPct(x: number): string {
  if (x > 0 && x < 0.5) return '<1%';
  return `${Math.round(x)}%`;
}

/** Core-hours or GB-hours, with the digits that matter for small runs. */
export function fmtHours(h: number): string {
  if (h === 0) return '0';
  const a = Math.abs(h);
  if (a >= 100) return h.toFixed(0);
  if (a >= 1) return h.toFixed(2);
  return Number(h.toPrecision(2)).toString();
}

/** A moment in UTC, to the second: `2026-12-01T20:39:01Z`. */
export function fmtTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** A moment in UTC, to the millisecond (the trace's form). */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** Cores in use: CPU time over wall time. */
export function fmtCores(x: number): string {
  return x.toFixed(2);
}
