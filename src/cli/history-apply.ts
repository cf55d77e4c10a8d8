import type { TaskGraph } from '../model/tasks.js';
import { formatDuration, formatMemory } from '../model/units.js';
import { DEFAULT_RIGHT_SIZE_HEADROOM, perUnitRequest, type RightSized } from '../plan/history.js';
import { taskUnits } from '../plan/per-unit.js';
import { scalingText } from '../ui/plan-sizing.js';
import { err } from './io.js';

/** A request that replaces the sized one (MiB, s): one value for every task of a node, or one per task. */
export type Override = number | ((task: number) => number);

/** What `--apply-history` puts in place of a node's sized requests. */
export interface HistoryOverride {
  readonly memory?: Override;
  readonly runtime?: Override;
}

const MIB = 1024 * 1024;
const GRANULARITY = { memory: 1, runtime: 60 };

/**
 * History's suggestions as requests, per node: the suggested request, or, where the fit is per
 * unit, each task's own (declared base + fitted amount × its units, plus headroom, as `rightSize`
 * rounds it). Says on stderr what it did to each node.
 */
export function historyOverrides(
  tasks: TaskGraph,
  rows: readonly RightSized[],
  inputBytes: (task: number) => number | undefined,
): Map<string, HistoryOverride> {
  const byId = new Map(tasks.nodes.map((nt) => [nt.node.id, nt.node]));
  const out = new Map<string, HistoryOverride>();
  for (const r of rows) {
    const headroom = { ...DEFAULT_RIGHT_SIZE_HEADROOM, ...byId.get(r.node)?.headroom };
    const o: { memory?: Override; runtime?: Override } = {};
    const parts: string[] = [];
    for (const key of ['memory', 'runtime'] as const) {
      const x = r[key];
      const scale = key === 'memory' ? MIB : 1;
      const f = key === 'memory' ? formatMemory : formatDuration;
      const was = x.requested === null ? 'none' : f(x.requested / scale);
      if (r.keeps[key] || x.suggested === null) {
        parts.push(`${key} as declared (too few samples)`);
        continue;
      }
      const p = x.perUnit;
      if (p) {
        const base = p.base / scale;
        const per = p.suggested / scale;
        const unit = p.unit;
        o[key] = (v) =>
          perUnitRequest(
            base,
            per,
            taskUnits(tasks.tasks[v]!, unit, inputBytes(v)),
            headroom[key],
            GRANULARITY[key],
          );
        const said = scalingText(
          { base, perItem: unit === 'item' ? per : 0, perInputGiB: unit === 'input_gib' ? per : 0 },
          f,
        );
        parts.push(`${key} ${said} +${headroom[key]}% (was ${was})`);
      } else {
        o[key] = x.suggested / scale;
        parts.push(`${key} ${f(x.suggested / scale)} (was ${was})`);
      }
    }
    out.set(r.node, o);
    err(`history: ${r.node} (${r.samples} sample${r.samples === 1 ? '' : 's'}): ${parts.join(', ')}\n`);
  }
  return out;
}
