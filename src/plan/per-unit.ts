import type { NodeScaling } from '../model/campaign.js';
import type { TaskSpec } from '../model/tasks.js';
import type { NodeHistory, UnitScaling } from './history.js';

const GIB = 1024 ** 3;

/**
 * What right-sizing fits per unit for a node, from its declared scalings: a scaling with a
 * `per_item` is fitted per item, else one with a `per_input_gib` per input GiB, keeping the
 * declared base. A node has one unit: memory's decides, and a runtime scaling of the other
 * unit is fitted as a plain maximum.
 */
export function unitScalings(s: NodeScaling | undefined): NodeHistory['scaling'] | undefined {
  const of = (x: NodeScaling['memory']): UnitScaling | undefined =>
    !x
      ? undefined
      : x.perItem > 0
        ? { unit: 'item', base: x.base }
        : x.perInputGiB > 0
          ? { unit: 'input_gib', base: x.base }
          : undefined;
  const memory = of(s?.memory);
  let runtime = of(s?.runtime);
  if (memory && runtime && runtime.unit !== memory.unit) runtime = undefined;
  if (!memory && !runtime) return undefined;
  return { ...(memory ? { memory } : {}), ...(runtime ? { runtime } : {}) };
}

/** The unit of a node's fit: the one its scalings share. */
export function unitOf(s: NodeHistory['scaling']): UnitScaling['unit'] | undefined {
  return s?.memory?.unit ?? s?.runtime?.unit;
}

/** A task's units: its item count (1 for a plain node), or its input in GiB (`bytes` measured). */
export function taskUnits(task: TaskSpec, unit: UnitScaling['unit'], bytes: number | undefined): number {
  return unit === 'item' ? (task.items?.length ?? 1) : (bytes ?? 0) / GIB;
}
