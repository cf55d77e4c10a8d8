import type { Campaign } from '../model/campaign.js';
import type { CampaignGraph } from '../model/graph.js';
import { displayCommand } from '../model/shell.js';

export type GraphFormat = 'dot' | 'mermaid' | 'json';

/** The DAG for other tools: Graphviz, Mermaid, or JSON. Groups become clusters/subgraphs. */
export function exportGraph(campaign: Campaign, graph: CampaignGraph, format: GraphFormat): string {
  switch (format) {
    case 'dot':
      return dot(campaign, graph);
    case 'mermaid':
      return mermaid(campaign, graph);
    case 'json':
      return json(campaign, graph);
  }
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function dot(campaign: Campaign, graph: CampaignGraph): string {
  const out = [`digraph ${q(campaign.name)} {`, '  rankdir=LR;', '  node [shape=box];'];
  const cluster = (ids: readonly string[], indent: string) => {
    for (const id of ids) {
      const n = campaign.nodes.get(id)!;
      if (n.kind === 'task') out.push(`${indent}${q(id)} [label=${q(n.name)}];`);
      else {
        out.push(`${indent}subgraph ${q(`cluster_${id}`)} {`, `${indent}  label=${q(n.name)};`);
        cluster(n.children, `${indent}  `);
        out.push(`${indent}}`);
      }
    }
  };
  cluster(campaign.roots, '  ');
  for (const e of graph.edges) out.push(`  ${q(e.from)} -> ${q(e.to)};`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function mermaid(campaign: Campaign, graph: CampaignGraph): string {
  const out = ['flowchart LR'];
  const ref = (id: string) => `n${graph.indexOf.get(id)}`;
  const label = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const sub = (ids: readonly string[], indent: string) => {
    for (const id of ids) {
      const n = campaign.nodes.get(id)!;
      if (n.kind === 'task') out.push(`${indent}${ref(id)}[${label(n.name)}]`);
      else {
        out.push(`${indent}subgraph g_${id.replace(/[^A-Za-z0-9_]/g, '_')}[${label(n.name)}]`);
        sub(n.children, `${indent}  `);
        out.push(`${indent}end`);
      }
    }
  };
  sub(campaign.roots, '  ');
  for (const e of graph.edges) out.push(`  ${ref(e.from)} --> ${ref(e.to)}`);
  return `${out.join('\n')}\n`;
}

function json(campaign: Campaign, graph: CampaignGraph): string {
  const nodes = graph.tasks.map((t) => ({
    id: t.id,
    group: t.parent ?? null,
    command: t.command !== undefined ? displayCommand(t.command) : null,
    workflow: t.workflow ?? null,
    resources: {
      cores: t.resources.cores,
      memory_mib: t.resources.memory ?? null,
      gpus: t.resources.gpus,
      nodes: t.resources.nodes,
      runtime_s: t.resources.runtime ?? null,
    },
  }));
  const groups = [...campaign.nodes.values()]
    .filter((n) => n.kind === 'group')
    .map((g) => ({ id: g.id, parent: g.parent ?? null, children: g.children }));
  const edges = graph.edges.map((e) => ({ from: e.from, to: e.to }));
  return `${JSON.stringify({ campaign: campaign.name, nodes, groups, edges }, null, 2)}\n`;
}
