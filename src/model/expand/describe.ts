import type { FanoutSpec } from '../campaign.js';
import type { NodeEdge } from '../resolve.js';
import type { NodeTasks } from '../tasks.js';
import type { Pairing } from './edges.js';
import type { InstanceSet } from './instances.js';

/** Where a fan-out's instances come from: `foreach data/b.csv (12) × matrix draw (250)`. */
export function describeFanout(spec: FanoutSpec | undefined, set: InstanceSet, workflow?: string): string {
  const parts: string[] = [];
  let a = 0;
  const size = () => set.axes[a++]?.size ?? 0;
  if (spec?.foreach !== undefined) {
    const f = spec.foreach;
    const what = typeof f === 'string' ? f : (f.file ?? f.glob ?? '');
    parts.push(`foreach ${what} (${size()})`);
  }
  const matrix = Object.keys(spec?.matrix ?? {}).map((key) => `${key} (${size()})`);
  if (matrix.length > 0) parts.push(`matrix ${matrix.join(' × ')}`);
  if (spec?.zip && Object.keys(spec.zip).length > 0)
    parts.push(`zip ${Object.keys(spec.zip).join(', ')} (${size()})`);
  if (workflow !== undefined && a < set.axes.length) parts.push(`workflow ${workflow} (${size()})`);
  const ids = spec?.id !== undefined ? `, id "${spec.id}"` : '';
  return `${parts.join(' × ')}${ids}`;
}

/** The first and last of a list of names: `a, b` or `a … z`. */
export function span(first: string, last: string, count: number): string {
  if (count === 0) return '-';
  if (count === 1) return first;
  return count === 2 ? `${first}, ${last}` : `${first} … ${last}`;
}

/** The instances of a node, compactly: `30: EP-0 … SI-9` (and how many were complete). */
export function describeInstances(nt: NodeTasks): string {
  const f = nt.fanout!;
  const n = f.instances.count;
  const ids = span(f.instances.id(0), f.instances.id(n - 1), n);
  return `${n}: ${ids}${f.skipped > 0 ? ` (${f.skipped} complete, left out)` : ''}`;
}

/** The tasks of a chunked node: `8 of 3-4 items: gen[chunk-0000] … gen[chunk-0007]`. */
export function describeChunks(nt: NodeTasks, idOf: (k: number) => string): string {
  const s = nt.fanout!.spread!;
  if (s.tasks === 0) return '0: every item is complete';
  return `${s.tasks} of ${s.describe()} item${s.describe() === '1' ? '' : 's'}: ${span(idOf(0), idOf(s.tasks - 1), s.tasks)}`;
}

/** A dependency as `plan` shows it: `gen`, `gen (one to one)`, `gen (matching step)`, `gen[*]`. */
export function describeDependency(e: NodeEdge, pairing: Pairing | undefined): string {
  switch (pairing?.kind) {
    case undefined:
    case 'single':
      return e.from;
    case 'all':
      return `${e.from} (all)`;
    case 'one-to-one':
      return `${e.from} (one to one)`;
    case 'shared':
      return `${e.from} (matching ${pairing.keys.join(', ')})`;
    case 'selector':
      return `${e.from}[${pairing.text}]`;
  }
}
