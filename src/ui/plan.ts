import type { Campaign, NodeSpec, Resources } from '../model/campaign.js';
import { type CampaignGraph, criticalPath } from '../model/graph.js';
import { displayCommand } from '../model/shell.js';
import { formatDuration, formatMemory } from '../model/units.js';

const LIST_LIMIT = 10;

/** `campaign plan`: the tree with resolved dependencies, commands and resources, and a summary. */
export function formatPlan(campaign: Campaign, graph: CampaignGraph): string {
  const out: string[] = [];
  out.push(`campaign ${campaign.name}${campaign.description ? `: ${campaign.description}` : ''}`);
  out.push(`file     ${campaign.file}`);
  out.push(`runs on  ${campaign.scheduler.type}${schedulerDetail(campaign)}`);
  out.push('');
  const deps = new Map<string, string[]>();
  for (const e of graph.edges) {
    const list = deps.get(e.to);
    if (list) list.push(e.from);
    else deps.set(e.to, [e.from]);
  }
  const walk = (ids: readonly string[], prefix: string) => {
    ids.forEach((id, i) => {
      const node = campaign.nodes.get(id)!;
      const last = i === ids.length - 1;
      const branch = prefix + (last ? '└─ ' : '├─ ');
      const cont = prefix + (last ? '   ' : '│  ');
      if (node.kind === 'group') {
        out.push(`${branch}${node.name}/`);
        walk(node.children, cont);
        return;
      }
      out.push(`${branch}${node.name}`);
      out.push(`${cont}  run        ${describeRun(node)}`);
      out.push(`${cont}  resources  ${formatResources(node.resources)}`);
      const after = deps.get(id);
      if (after) out.push(`${cont}  after      ${limitList(after)}`);
      if (node.outputs.length > 0) out.push(`${cont}  outputs    ${node.outputs.join(', ')}`);
    });
  };
  walk(campaign.roots, '');
  out.push('');
  out.push(...formatSummary(campaign, graph));
  return `${out.join('\n')}\n`;
}

/** The summary block: counts, roots, leaves, critical path. */
export function formatSummary(campaign: Campaign, graph: CampaignGraph): string[] {
  const { dag, tasks } = graph;
  const groups = [...campaign.nodes.values()].filter((n) => n.kind === 'group').length;
  const roots: string[] = [];
  const leaves: string[] = [];
  for (let v = 0; v < tasks.length; v++) {
    if (dag.inDegree(v) === 0) roots.push(tasks[v]!.id);
    if (dag.outDegree(v) === 0) leaves.push(tasks[v]!.id);
  }
  const cp = criticalPath(graph);
  return [
    'summary',
    `  nodes          ${tasks.length} runnable, ${groups} group${groups === 1 ? '' : 's'}`,
    `  edges          ${dag.edgeCount}`,
    `  roots          ${limitList(roots)}`,
    `  leaves         ${limitList(leaves)}`,
    `  critical path  ${cp.path.length > 0 ? `${limitList(cp.path, ' → ')} (${formatDuration(cp.seconds)})` : '-'}`,
  ];
}

function limitList(items: readonly string[], sep = ', '): string {
  if (items.length <= LIST_LIMIT) return items.join(sep);
  return `${items.slice(0, LIST_LIMIT).join(sep)}${sep}… (${items.length - LIST_LIMIT} more)`;
}

function describeRun(node: NodeSpec): string {
  if (node.command !== undefined) return displayCommand(node.command);
  return `workflow ${node.workflow}`;
}

export function formatResources(r: Resources): string {
  const parts = [r.ranks || r.threads ? `${r.ranks ?? 1}x${r.threads ?? 1} cores` : `${r.cores} core${r.cores === 1 ? '' : 's'}`];
  if (r.memory !== undefined) parts.push(formatMemory(r.memory));
  if (r.gpus > 0) parts.push(`${r.gpus} gpu${r.gpus === 1 ? '' : 's'}`);
  if (r.nodes > 1) parts.push(`${r.nodes} nodes`);
  if (r.runtime !== undefined) parts.push(formatDuration(r.runtime));
  return parts.join(', ');
}

function schedulerDetail(c: Campaign): string {
  const s = c.scheduler;
  const bits = [s.partition && `partition ${s.partition}`, s.queue && `queue ${s.queue}`, s.account && `account ${s.account}`, s.project && `project ${s.project}`, s.qos && `qos ${s.qos}`].filter(Boolean);
  return bits.length > 0 ? ` (${bits.join(', ')})` : '';
}
