import type { Campaign } from '../model/campaign.js';
import type { TaskGraph } from '../model/tasks.js';
import { formatDuration, formatMemory } from '../model/units.js';
import type { Scaling, Sized } from '../plan/size.js';
import type { SizedTasks, Spread } from '../plan/size-tasks.js';

type Resource = 'memory' | 'runtime';

const MIB = 1024 * 1024;
const FORMAT: Record<Resource, (n: number) => string> = { memory: formatMemory, runtime: formatDuration };

/** Whether `plan` shows how a node was sized: it declares a headroom or a scaling. */
function shown(campaign: Campaign, id: string): boolean {
  const n = campaign.nodes.get(id);
  return n?.headroom !== undefined || n?.scaling !== undefined;
}

/**
 * The sizing table of `campaign plan`: per node that declares a headroom or a scaling, its
 * estimate, headroom and request side by side (the least and the most over its tasks where a
 * scaling makes them differ), then each scaling as declared. Empty when no node declares either.
 */
export function formatSizing(campaign: Campaign, tasks: TaskGraph, sized: SizedTasks): string {
  const rows: [string, string, string][] = [];
  const scalings: string[] = [];
  for (const nt of tasks.nodes) {
    const id = nt.node.id;
    if (!shown(campaign, id)) continue;
    const s = sized.byNode.get(id);
    if (!s) continue;
    const spread = sized.spread.get(id);
    rows.push([id, side('memory', s.memory, spread?.memory), side('runtime', s.runtime, spread?.runtime)]);
    const sc = nt.node.scaling;
    const said = (['memory', 'runtime'] as const).flatMap((k) =>
      sc?.[k] ? [`${k} = ${scalingText(sc[k], FORMAT[k])}`] : [],
    );
    if (said.length > 0) scalings.push(`  ${id}: ${said.join(', ')}`);
  }
  if (rows.length === 0) return '';
  const w = Math.max(4, ...rows.map((r) => r[0].length));
  const m = Math.max(22, ...rows.map((r) => r[1].length));
  const out = [
    'sizing (estimate + headroom = request)',
    `  ${'node'.padEnd(w)}  ${'memory'.padEnd(m)}  runtime`,
  ];
  for (const [id, mem, rt] of rows) out.push(`  ${id.padEnd(w)}  ${mem.padEnd(m)}  ${rt}`.trimEnd());
  if (scalings.length > 0) out.push('scalings', ...scalings);
  return `${out.join('\n')}\n`;
}

function side(key: Resource, x: Sized | undefined, spread: Spread | undefined): string {
  if (!x) return '-';
  const f = FORMAT[key];
  const range = (r: readonly [number, number]) => (r[0] === r[1] ? f(r[0]) : `${f(r[0])}-${f(r[1])}`);
  if (spread) return `${range(spread.estimate)} +${x.headroom}% = ${range(spread.request)}`;
  return `${f(x.estimate)} +${x.headroom}% = ${f(x.request)}`;
}

/** `2G + 50M × items + 1G × input GiB`, the terms that are not 0. */
export function scalingText(s: Scaling, f: (n: number) => string): string {
  const terms: string[] = [];
  if (s.base > 0 || (s.perItem === 0 && s.perInputGiB === 0)) terms.push(f(s.base));
  if (s.perItem > 0) terms.push(`${f(s.perItem)} × items`);
  if (s.perInputGiB > 0) terms.push(`${f(s.perInputGiB)} × input GiB`);
  return terms.join(' + ');
}

/**
 * `--json`'s `sizing`: per node shown in the table, for memory (bytes) and runtime (seconds):
 * the first task's estimate, headroom, request and source, the least and most estimate and
 * request over its tasks, and the declared scaling.
 */
export function sizingJson(
  campaign: Campaign,
  tasks: TaskGraph,
  sized: SizedTasks,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const nt of tasks.nodes) {
    const id = nt.node.id;
    if (!shown(campaign, id)) continue;
    const s = sized.byNode.get(id);
    if (!s) continue;
    const spread = sized.spread.get(id);
    const one = (key: Resource, scale: number) => {
      const x = s[key];
      if (!x) return null;
      const sp = spread?.[key];
      const sc = nt.node.scaling?.[key];
      return {
        estimate: x.estimate * scale,
        headroom_percent: x.headroom,
        request: x.request * scale,
        source: x.source,
        estimate_range: (sp?.estimate ?? [x.estimate, x.estimate]).map((n) => n * scale),
        request_range: (sp?.request ?? [x.request, x.request]).map((n) => n * scale),
        ...(sc
          ? {
              scaling: {
                base: sc.base * scale,
                per_item: sc.perItem * scale,
                per_input_gib: sc.perInputGiB * scale,
              },
            }
          : {}),
      };
    };
    out.push({ node: id, memory_bytes: one('memory', MIB), runtime_s: one('runtime', 1) });
  }
  return out;
}
