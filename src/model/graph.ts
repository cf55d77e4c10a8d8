import { type Diagnostic, diag } from '../config/diagnostic.js';
import { type Campaign, type NodeSpec, refPath } from './campaign.js';
import { Dag } from './dag.js';
import type { NodeEdge } from './resolve.js';
import { formatMemory } from './units.js';

/** The runnable nodes of a campaign and the dependencies between them. */
export interface CampaignGraph {
  /** Runnable nodes, in document order; vertex v of the DAG is tasks[v]. */
  readonly tasks: readonly NodeSpec[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly dag: Dag;
  /** edges[e] is the edge numbered e in the DAG. */
  readonly edges: readonly NodeEdge[];
  /** A topological order of all vertices (complete only when there are no cycles). */
  readonly order: Int32Array;
}

/** Builds the DAG and reports every cycle, each edge with the `depends_on` entry that made it. */
export function buildGraph(
  campaign: Campaign,
  written: readonly NodeEdge[],
): { graph: CampaignGraph; diagnostics: Diagnostic[] } {
  const tasks = [...campaign.nodes.values()].filter((n) => n.kind === 'task');
  const indexOf = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) indexOf.set(tasks[i]!.id, i);
  // Edges between instances (`gen[step={step-1}]`) order tasks, not nodes: they come last,
  // outside the node DAG, so edge e of the DAG is still edges[e].
  const nodeEdges = written.filter((e) => !e.relative);
  const edges =
    nodeEdges.length < written.length ? [...nodeEdges, ...written.filter((e) => e.relative)] : written;
  const from = new Int32Array(nodeEdges.length);
  const to = new Int32Array(nodeEdges.length);
  nodeEdges.forEach((e, i) => {
    from[i] = indexOf.get(e.from)!;
    to[i] = indexOf.get(e.to)!;
  });
  const dag = Dag.build(tasks.length, from, to);
  const { order, cyclic } = dag.topoOrder();
  const diagnostics: Diagnostic[] = [];
  if (cyclic.length > 0) {
    for (const found of dag.cycles(cyclic)) {
      // Start the ring at the node declared first, so the report reads in file order.
      let first = 0;
      found.forEach((e, i) => {
        if (indexOf.get(edges[e]!.to)! < indexOf.get(edges[found[first]!]!.to)!) first = i;
      });
      const cycle = [...found.slice(first), ...found.slice(0, first)];
      const names = cycle.map((e) => edges[e]!.to);
      const ring = [...names, names[0]].join(' → ');
      const head = edges[cycle[0]!]!;
      diagnostics.push(
        diag(
          'cycle',
          `dependency cycle: ${ring}`,
          { path: refPath(head.ref), part: 'value' },
          {
            related: cycle.map((e) => {
              const edge = edges[e]!;
              return {
                message: `\`${edge.to}\` depends on \`${edge.from}\``,
                where: { path: refPath(edge.ref), part: 'value' },
              };
            }),
            suggestion: 'remove one of these dependencies',
          },
        ),
      );
    }
  }
  return { graph: { tasks, indexOf, dag, edges, order }, diagnostics };
}

const BUDGET_KEY: Record<string, string> = {
  cores: 'cores_per_node',
  memory: 'memory_per_node',
  gpus: 'gpus_per_node',
  nodes: 'nodes',
};

/** Reports requests that no node of the campaign's budget could hold. */
export function checkBudget(campaign: Campaign, graph: CampaignGraph): Diagnostic[] {
  const b = campaign.budget;
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const t of graph.tasks) {
    const r = t.resources;
    const perNodeCores = Math.ceil(r.cores / r.nodes);
    const problems: [string, boolean, string][] = [
      [
        'cores',
        b.coresPerNode !== undefined && perNodeCores > b.coresPerNode,
        `${perNodeCores} cores per node, but the budget's nodes have ${b.coresPerNode}`,
      ],
      [
        'memory',
        b.memoryPerNode !== undefined && r.memory !== undefined && r.memory > b.memoryPerNode,
        `${formatMemory(r.memory ?? 0)} of memory, but the budget's nodes have ${formatMemory(b.memoryPerNode ?? 0)}`,
      ],
      [
        'gpus',
        b.gpusPerNode !== undefined && r.gpus > b.gpusPerNode,
        `${r.gpus} GPUs, but the budget's nodes have ${b.gpusPerNode}`,
      ],
      [
        'nodes',
        b.nodes !== undefined && r.nodes > b.nodes,
        `${r.nodes} nodes, but the budget has ${b.nodes}`,
      ],
    ];
    for (const [field, bad, what] of problems) {
      if (!bad) continue;
      const origin = r.origins[field === 'cores' && r.ranks ? 'ranks' : field] ?? t.docPath;
      // One diagnostic per place the value was written, even if many nodes inherit it.
      const key = `${field}\u0000${origin.join('\u0000')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(
        diag(
          'exceeds-budget',
          `\`${t.id}\` asks for ${what}`,
          { path: origin, part: 'value' },
          {
            related: [
              {
                message: 'the budget is set here',
                where: { path: ['campaign', 'resources', BUDGET_KEY[field]!], part: 'key' },
              },
            ],
            suggestion: 'lower the request, or raise [campaign.resources]',
          },
        ),
      );
    }
  }
  return out;
}

/** Longest chain of nodes by declared runtime (undeclared runtimes count as 0). */
export function criticalPath(graph: CampaignGraph): { path: string[]; seconds: number } {
  const { dag, tasks, order } = graph;
  const n = tasks.length;
  if (n === 0) return { path: [], seconds: 0 };
  const finish = new Float64Array(n);
  const via = new Int32Array(n).fill(-1);
  for (const v of order) {
    let start = 0;
    for (const p of dag.predecessors(v)) {
      if (finish[p]! > start || (finish[p] === start && via[v] === -1)) {
        start = finish[p]!;
        via[v] = p;
      }
    }
    finish[v] = start + (tasks[v]!.resources.runtime ?? 0);
  }
  let end = 0;
  for (let v = 1; v < n; v++) if (finish[v]! > finish[end]!) end = v;
  const path: string[] = [];
  for (let v = end; v !== -1; v = via[v]!) path.push(tasks[v]!.id);
  return { path: path.reverse(), seconds: finish[end]! };
}
