import type { Campaign, NodeSpec, Resources } from '../model/campaign.js';
import {
  describeChunks,
  describeDependency,
  describeFanout,
  describeInstances,
} from '../model/expand/describe.js';
import type { Pairing } from '../model/expand/edges.js';
import { type CampaignGraph, criticalPath } from '../model/graph.js';
import type { NodeEdge } from '../model/resolve.js';
import { displayCommand, shellQuote } from '../model/shell.js';
import type { NodeTasks, TaskGraph } from '../model/tasks.js';
import { formatDuration, formatMemory } from '../model/units.js';
import { schedulers } from '../schedulers/index.js';

const LIST_LIMIT = 10;

/** The task level of a plan: fan-outs, and whether to list every task. */
export interface PlanTasks {
  readonly tasks: TaskGraph;
  readonly pairing: readonly Pairing[];
  /** List every instance or chunk of fanned-out nodes (`--all`), not just the first and last. */
  readonly all?: boolean;
}

/**
 * `campaign plan`: the tree with resolved dependencies, commands and resources, and a summary.
 * Fanned-out nodes are shown compactly (counts, first and last instance) unless `all`.
 */
export function formatPlan(campaign: Campaign, graph: CampaignGraph, fan?: PlanTasks): string {
  const out: string[] = [];
  out.push(`campaign ${campaign.name}${campaign.description ? `: ${campaign.description}` : ''}`);
  out.push(`file     ${campaign.file}`);
  out.push(`runs on  ${campaign.scheduler.type}${schedulerDetail(campaign)}`);
  out.push('');
  const deps = new Map<string, string[]>();
  graph.edges.forEach((e: NodeEdge, n) => {
    const text = describeDependency(e, fan?.pairing[n]);
    const list = deps.get(e.to);
    if (list) list.push(text);
    else deps.set(e.to, [text]);
  });
  const byNode = new Map<string, NodeTasks>();
  for (const nt of fan?.tasks.nodes ?? []) byNode.set(nt.node.id, nt);
  const walk = (ids: readonly string[], prefix: string) => {
    ids.forEach((id, i) => {
      const node = campaign.nodes.get(id)!;
      const last = i === ids.length - 1;
      const branch = prefix + (last ? '└─ ' : '├─ ');
      const cont = prefix + (last ? '   ' : '│  ');
      if (node.kind === 'group') {
        out.push(`${branch}${node.name}/`);
        const fanout = groupFanout(node, fan);
        if (fanout) out.push(`${cont}│  fan-out    ${fanout}`);
        walk(node.children, cont);
        return;
      }
      const nt = byNode.get(id);
      out.push(`${branch}${node.name}`);
      out.push(`${cont}  run        ${describeRun(node, nt?.fanout !== undefined)}`);
      if (nt?.fanout) out.push(...fanoutLines(nt, fan!, `${cont}  `));
      else if (nt && node.workflow !== undefined) {
        const t = fan!.tasks.tasks[nt.first];
        if (t) out.push(`${cont}  command    ${displayCommand(t.command)}`);
      }
      out.push(`${cont}  resources  ${formatResources(node.resources)}`);
      if (nt?.estimate) out.push(`${cont}  estimate   ${formatEstimate(nt.estimate)}`);
      const after = deps.get(id);
      if (after) out.push(`${cont}  after      ${limitList(after)}`);
      if (node.outputs.length > 0) out.push(`${cont}  outputs    ${node.outputs.join(', ')}`);
      if (nt?.fanout && fan?.all) out.push(...allTasks(fan.tasks, nt, `${cont}    `));
    });
  };
  walk(campaign.roots, '');
  out.push('');
  out.push(...formatSummary(campaign, graph, fan?.tasks));
  return `${out.join('\n')}\n`;
}

function groupFanout(group: NodeSpec, fan: PlanTasks | undefined): string | undefined {
  if (!group.fanout) return undefined;
  const nt = fan?.tasks.nodes.find((n) => n.fanout?.instances.scopes.some((s) => s.table.id === group.id));
  const set = nt?.fanout?.instances.scopes.find((s) => s.table.id === group.id);
  if (!set) return undefined;
  const n = set.count;
  return `${describeFanout(group.fanout, set)}: ${n} instance${n === 1 ? '' : 's'}, ${set.id(0)}${n > 1 ? ` … ${set.id(n - 1)}` : ''}`;
}

function fanoutLines(nt: NodeTasks, fan: PlanTasks, indent: string): string[] {
  const f = nt.fanout!;
  const out: string[] = [];
  const own = f.instances.scopes.find((s) => s.table.id === nt.node.id);
  const groups = f.instances.scopes.filter((s) => s !== own).map((s) => `group ${s.table.id}`);
  if (own) {
    out.push(
      `${indent}fan-out    ${[...groups, describeFanout(nt.node.fanout, own, nt.node.workflow)].join(' × ')}`,
    );
    out.push(`${indent}instances  ${describeInstances(nt)}`);
  } else {
    const skipped = f.skipped > 0 ? `, ${f.skipped} complete, left out` : '';
    out.push(`${indent}instances  ${f.instances.count}, one per instance of ${groups.join(' × ')}${skipped}`);
  }
  if (f.spread) {
    out.push(`${indent}tasks      ${describeChunks(nt, (k) => fan.tasks.tasks[nt.first + k]!.id)}`);
  }
  const first = fan.tasks.tasks[nt.first];
  if (nt.count > 0 && first) out.push(`${indent}first      ${displayCommand(first.command)}`);
  return out;
}

/** `--all`: every task of a fanned-out node with its command (or its items, for a chunk). */
function allTasks(tasks: TaskGraph, nt: NodeTasks, indent: string): string[] {
  const rows: [string, string][] = [];
  for (let k = 0; k < nt.count; k++) {
    const t = tasks.tasks[nt.first + k]!;
    if (nt.fanout?.spread) {
      const items = t.items ?? [];
      rows.push([
        t.id,
        `${items.length} item${items.length === 1 ? '' : 's'}: ${items.map((i) => i.instance).join(', ')}`,
      ]);
    } else rows.push([t.id, displayCommand(t.command)]);
  }
  const width = Math.max(0, ...rows.map(([id]) => id.length));
  return rows.map(([id, what]) => `${indent}${id.padEnd(width)}  ${what}`);
}

/** The summary block: counts, roots, leaves, critical path (and tasks, for a fanned-out campaign). */
export function formatSummary(campaign: Campaign, graph: CampaignGraph, tasks?: TaskGraph): string[] {
  const { dag } = graph;
  const nodes = graph.tasks;
  const groups = [...campaign.nodes.values()].filter((n) => n.kind === 'group').length;
  const roots: string[] = [];
  const leaves: string[] = [];
  for (let v = 0; v < nodes.length; v++) {
    if (dag.inDegree(v) === 0) roots.push(nodes[v]!.id);
    if (dag.outDegree(v) === 0) leaves.push(nodes[v]!.id);
  }
  const cp = criticalPath(graph);
  const fanned = tasks?.nodes.some((n) => n.fanout !== undefined) ?? false;
  return [
    'summary',
    `  nodes          ${nodes.length} runnable, ${groups} group${groups === 1 ? '' : 's'}`,
    `  edges          ${dag.edgeCount}`,
    ...(fanned && tasks
      ? [`  tasks          ${count(tasks.tasks.length)}`, `  task edges     ${count(tasks.dag.edgeCount)}`]
      : []),
    `  roots          ${limitList(roots)}`,
    `  leaves         ${limitList(leaves)}`,
    `  critical path  ${cp.path.length > 0 ? `${limitList(cp.path, ' → ')} (${formatDuration(cp.seconds)})` : '-'}`,
  ];
}

const count = (n: number) => n.toLocaleString('en-US');

function limitList(items: readonly string[], sep = ', '): string {
  if (items.length <= LIST_LIMIT) return items.join(sep);
  return `${items.slice(0, LIST_LIMIT).join(sep)}${sep}… (${items.length - LIST_LIMIT} more)`;
}

function describeRun(node: NodeSpec, template: boolean): string {
  if (node.command === undefined) return `workflow ${node.workflow}`;
  if (!template || typeof node.command === 'string') return displayCommand(node.command);
  // Words with placeholders are shown as written, not quoted as if the braces were literal.
  return node.command.map((w) => (/^[A-Za-z0-9_@%+=:,./{}-]+$/.test(w) ? w : shellQuote(w))).join(' ');
}

export function formatResources(r: Resources): string {
  const parts = [
    r.ranks || r.threads
      ? `${r.ranks ?? 1}x${r.threads ?? 1} cores`
      : `${r.cores} core${r.cores === 1 ? '' : 's'}`,
  ];
  if (r.memory !== undefined) parts.push(formatMemory(r.memory));
  if (r.gpus > 0) parts.push(`${r.gpus} gpu${r.gpus === 1 ? '' : 's'}`);
  if (r.nodes > 1) parts.push(`${r.nodes} nodes`);
  if (r.runtime !== undefined) parts.push(formatDuration(r.runtime));
  return parts.join(', ');
}

function formatEstimate(e: NonNullable<NodeTasks['estimate']>): string {
  const parts: string[] = [];
  if (e.cores !== undefined) parts.push(`${e.cores} core${e.cores === 1 ? '' : 's'}`);
  if (e.memory !== undefined) parts.push(formatMemory(e.memory));
  if (e.gpus !== undefined && e.gpus > 0) parts.push(`${e.gpus} gpu${e.gpus === 1 ? '' : 's'}`);
  if (e.nodes !== undefined && e.nodes > 1) parts.push(`${e.nodes} nodes`);
  if (e.runtime !== undefined) parts.push(formatDuration(e.runtime));
  return parts.length > 0 ? `${parts.join(', ')} (from the workflow type)` : '-';
}

function schedulerDetail(c: Campaign): string {
  const s = c.scheduler;
  // Only what the chosen scheduler understands: the rest does not apply to this run.
  const understood = schedulers[s.type].options;
  const bits = (['partition', 'queue', 'account', 'project', 'qos'] as const)
    .filter((k) => s[k] !== undefined && k in understood)
    .map((k) => `${k} ${s[k]}`);
  return bits.length > 0 ? ` (${bits.join(', ')})` : '';
}
