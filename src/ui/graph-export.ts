import type { Campaign } from '../model/campaign.js';
import type { CampaignGraph } from '../model/graph.js';
import { displayCommand } from '../model/shell.js';
import type { NodeTasks } from '../model/tasks.js';
import type { PlanTasks } from './plan.js';

export type GraphFormat = 'dot' | 'mermaid' | 'json';

/**
 * The DAG for other tools: Graphviz, Mermaid, or JSON. Groups become clusters/subgraphs; a
 * fanned-out node is one vertex labelled with its counts, or with `all` one vertex per task.
 */
export function exportGraph(
  campaign: Campaign,
  graph: CampaignGraph,
  format: GraphFormat,
  fan?: PlanTasks,
): string {
  switch (format) {
    case 'dot':
      return dot(campaign, graph, fan);
    case 'mermaid':
      return mermaid(campaign, graph, fan);
    case 'json':
      return json(campaign, graph, fan);
  }
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/** `8 instances`, `8 tasks of 3-4 items`; undefined for a node without fan-out. */
function counts(nt: NodeTasks | undefined): string | undefined {
  const f = nt?.fanout;
  if (!f) return undefined;
  if (f.spread) return `${f.spread.tasks} tasks of ${f.spread.describe()} items`;
  return `${nt!.count} instance${nt!.count === 1 ? '' : 's'}`;
}

function nodeTasks(fan: PlanTasks | undefined): Map<string, NodeTasks> {
  const m = new Map<string, NodeTasks>();
  for (const nt of fan?.tasks.nodes ?? []) m.set(nt.node.id, nt);
  return m;
}

function dot(campaign: Campaign, graph: CampaignGraph, fan: PlanTasks | undefined): string {
  const out = [`digraph ${q(campaign.name)} {`, '  rankdir=LR;', '  node [shape=box];'];
  const byNode = nodeTasks(fan);
  const all = fan?.all === true;
  const cluster = (ids: readonly string[], indent: string) => {
    for (const id of ids) {
      const n = campaign.nodes.get(id)!;
      if (n.kind === 'task') {
        const nt = byNode.get(id);
        const c = counts(nt);
        if (all && nt?.fanout) {
          out.push(`${indent}subgraph ${q(`cluster_${id}`)} {`, `${indent}  label=${q(`${n.name} (${c})`)};`);
          for (let k = 0; k < nt.count; k++) {
            const t = fan!.tasks.tasks[nt.first + k]!;
            out.push(`${indent}  ${q(t.id)} [label=${q(t.instance ?? t.id)}];`);
          }
          out.push(`${indent}}`);
        } else out.push(`${indent}${q(id)} [label=${q(c ? `${n.name}\n${c}` : n.name)}];`);
      } else {
        out.push(`${indent}subgraph ${q(`cluster_${id}`)} {`, `${indent}  label=${q(n.name)};`);
        cluster(n.children, `${indent}  `);
        out.push(`${indent}}`);
      }
    }
  };
  cluster(campaign.roots, '  ');
  if (all && fan) for (const [a, b] of taskEdges(fan)) out.push(`  ${q(a)} -> ${q(b)};`);
  else for (const e of graph.edges) out.push(`  ${q(e.from)} -> ${q(e.to)};`);
  out.push('}');
  return `${out.join('\n')}\n`;
}

function mermaid(campaign: Campaign, graph: CampaignGraph, fan: PlanTasks | undefined): string {
  const out = ['flowchart LR'];
  const byNode = nodeTasks(fan);
  const all = fan?.all === true;
  const ref = (id: string) => `n${graph.indexOf.get(id)}`;
  const taskRef = (v: number) => `t${v}`;
  const label = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
  const sub = (ids: readonly string[], indent: string) => {
    for (const id of ids) {
      const n = campaign.nodes.get(id)!;
      if (n.kind === 'task') {
        const nt = byNode.get(id);
        const c = counts(nt);
        if (all && nt?.fanout) {
          out.push(`${indent}subgraph ${ref(id)}[${label(`${n.name} (${c})`)}]`);
          for (let k = 0; k < nt.count; k++) {
            const t = fan!.tasks.tasks[nt.first + k]!;
            out.push(`${indent}  ${taskRef(nt.first + k)}[${label(t.instance ?? t.id)}]`);
          }
          out.push(`${indent}end`);
        } else
          out.push(
            `${indent}${all ? taskRef(nt?.first ?? 0) : ref(id)}[${label(c ? `${n.name}<br/>${c}` : n.name)}]`,
          );
      } else {
        out.push(`${indent}subgraph g_${id.replace(/[^A-Za-z0-9_]/g, '_')}[${label(n.name)}]`);
        sub(n.children, `${indent}  `);
        out.push(`${indent}end`);
      }
    }
  };
  sub(campaign.roots, '  ');
  if (all && fan) {
    const { dag } = fan.tasks;
    for (let v = 0; v < dag.size; v++)
      for (const w of dag.successors(v)) out.push(`  ${taskRef(v)} --> ${taskRef(w)}`);
  } else for (const e of graph.edges) out.push(`  ${ref(e.from)} --> ${ref(e.to)}`);
  return `${out.join('\n')}\n`;
}

function* taskEdges(fan: PlanTasks): Generator<[string, string]> {
  const { dag, tasks } = fan.tasks;
  for (let v = 0; v < dag.size; v++) for (const w of dag.successors(v)) yield [tasks[v]!.id, tasks[w]!.id];
}

function json(campaign: Campaign, graph: CampaignGraph, fan: PlanTasks | undefined): string {
  const byNode = nodeTasks(fan);
  const nodes = graph.tasks.map((t) => {
    const nt = byNode.get(t.id);
    const f = nt?.fanout;
    return {
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
      ...(f && nt
        ? {
            instances: f.instances.count,
            tasks: nt.count,
            ...(f.skipped > 0 ? { complete: f.skipped } : {}),
            ...(f.spread ? { chunk: f.spread.size } : {}),
          }
        : {}),
    };
  });
  const groups = [...campaign.nodes.values()]
    .filter((n) => n.kind === 'group')
    .map((g) => ({ id: g.id, parent: g.parent ?? null, children: g.children }));
  const edges = graph.edges.map((e, n) => {
    const p = fan?.pairing[n];
    return p && p.kind !== 'single' ? { from: e.from, to: e.to, pairing: p } : { from: e.from, to: e.to };
  });
  const all =
    fan?.all === true
      ? {
          tasks: fan.tasks.tasks.map((t) => ({
            id: t.id,
            node: t.node.id,
            ...(t.instance !== undefined ? { instance: t.instance, index: t.index } : {}),
            command: displayCommand(t.command),
            ...(byNode.get(t.node.id)?.fanout?.spread
              ? { items: (t.items ?? []).map((i) => i.instance) }
              : {}),
          })),
          task_edges: [...taskEdges(fan)].map(([from, to]) => ({ from, to })),
        }
      : {};
  return `${JSON.stringify({ campaign: campaign.name, nodes, groups, edges, ...all }, null, 2)}\n`;
}
