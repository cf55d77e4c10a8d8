import { formatDuration, formatMemory } from '../model/units.js';
import type { Observed, RightSized } from '../plan/history.js';

const MIB = 1024 * 1024;

/**
 * `campaign plan --right-size`: per node, requested vs observed (median, p95, max over the
 * succeeded attempts) vs suggested, memory and runtime, then the savings over the last run and
 * the failed attempts (listed apart), then why a node keeps its request.
 */
export function formatRightSize(rows: readonly RightSized[], runs: number): string {
  if (rows.length === 0) return `right-size: no recorded attempts in ${runs} run${runs === 1 ? '' : 's'}\n`;
  const mem = (x: number | null) => (x === null ? '-' : formatMemory(Math.ceil(x / MIB)));
  const sec = (x: number | null) => (x === null ? '-' : formatDuration(Math.ceil(x)));
  const out: string[] = [
    `right-size over ${runs} run${runs === 1 ? '' : 's'} (observed: succeeded attempts)`,
  ];
  const observed = (title: string, pick: (r: RightSized) => Observed, f: (x: number | null) => string) =>
    table(
      [title, 'samples', 'requested', 'median', 'p95', 'max', 'suggested'],
      rows.map((r) => {
        const o = pick(r);
        return [r.node, String(r.samples), f(o.requested), f(o.median), f(o.p95), f(o.max), f(o.suggested)];
      }),
    );
  out.push(...observed('memory', (r) => r.memory, mem));
  out.push(...observed('runtime', (r) => r.runtime, sec));
  out.push(
    ...table(
      ['saves', 'core-h', 'GB-h', 'failed'],
      rows.map((r) => [
        r.node,
        r.saves.coreHours.toFixed(2),
        r.saves.gbHours.toFixed(2),
        r.failed.count === 0
          ? '-'
          : Object.entries(r.failed.kinds)
              .map(([k, n]) => `${n} ${k}`)
              .join(', '),
      ]),
    ),
  );
  const notes = rows.flatMap((r) => r.notes.map((n) => `  ${r.node}: ${n}`));
  if (notes.length > 0) out.push('notes', ...notes);
  return `${out.join('\n')}\n`;
}

/** A header row and indented rows; numbers right-aligned, the first column left. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [head, ...rows.map((r) => ['', ...r.slice(1)])];
  const names = rows.map((r) => `  ${r[0]}`);
  const w = head.map((_h, i) =>
    Math.max(...all.map((r) => r[i]!.length), i === 0 ? Math.max(...names.map((n) => n.length)) : 0),
  );
  const line = (r: readonly string[], first: string) =>
    [first.padEnd(w[0]!), ...r.slice(1).map((c, i) => c.padStart(w[i + 1]!))].join('  ').trimEnd();
  return [line(head, head[0]!), ...rows.map((r, i) => line(r, names[i]!))];
}
