import { type Diagnostic, hasErrors } from '../../config/diagnostic.js';
import type { Campaign, NodeSpec } from '../campaign.js';
import { Dag } from '../dag.js';
import type { CampaignGraph } from '../graph.js';
import { type NodeTasks, type TaskGraph, type TaskSpec, taskOf } from '../tasks.js';
import { edgeNode, identity, makeGraph, plainGraph } from './assemble.js';
import { CheckCache } from './check-cache.js';
import { Spread } from './chunk.js';
import { built, type NodeWorkflow, workflowCommands } from './commands.js';
import { compileNode } from './compile.js';
import { buildTaskEdges, type EdgeNode, type Pairing } from './edges.js';
import { type InstanceSet, type Instances, ProductSet } from './instances.js';
import { taskCycles } from './relative.js';
import { runAware } from './run-ref.js';
import { expandScope, type ScopeResult } from './scope.js';
import { checkSettings } from './settings.js';
import { completeInstances } from './skip.js';
import { ChunkTask, InstanceTask, NodePlan } from './task.js';

export type { CommandCall, NodeWorkflow } from './commands.js';

export interface ExpandInput {
  readonly campaign: Campaign;
  readonly graph: CampaignGraph;
  /** Per node id; nodes with a plain `command` need no entry. */
  readonly workflows: ReadonlyMap<string, NodeWorkflow>;
  /** Check outputs (and `check`) for `skip_complete`; when off, every item is kept. */
  readonly evaluateOutputs: boolean;
  /** Run `check` commands for `skip_complete` where no cached result applies (see SkipOptions). */
  readonly runChecks?: boolean;
  /** Delete the outputs of items whose check fails, and report them (`run --clean-invalid`). */
  readonly removed?: (task: string, files: readonly string[]) => void;
  /** Called with the time each step took (for the benchmark breakdown). */
  readonly timing?: (stage: string, ms: number) => void;
}

/** What `campaign expand` shows: each fan-out's instances and rejected items, each node's tasks. */
export interface ExpansionReport {
  readonly scopes: readonly { readonly table: NodeSpec; readonly result: ScopeResult }[];
  readonly nodes: readonly NodeTasks[];
}

export interface ExpandResult {
  readonly tasks?: TaskGraph;
  readonly pairing: readonly Pairing[];
  readonly report: ExpansionReport;
  readonly diagnostics: Diagnostic[];
}

/**
 * Expands the node graph into the task graph: fan-outs into instances, instances into tasks
 * (one each, or chunks of `chunk` items), node edges into task edges. Every problem found is a
 * positioned diagnostic.
 */
export async function expandCampaign(input: ExpandInput): Promise<ExpandResult> {
  const { campaign, graph, workflows } = input;
  const diagnostics: Diagnostic[] = [];
  let t0 = performance.now();
  const lap = (stage: string) => {
    const t1 = performance.now();
    input.timing?.(stage, t1 - t0);
    t0 = t1;
  };
  const scopes: { table: NodeSpec; result: ScopeResult }[] = [];
  const setOf = new Map<string, InstanceSet>();
  checkSettings(campaign, workflows, diagnostics);

  for (const table of campaign.nodes.values()) {
    const spec = table.fanout;
    const fromWorkflow = workflows.get(table.id)?.instances;
    const hasAxes = spec && (spec.matrix || spec.zip || spec.foreach !== undefined);
    if (!hasAxes && !fromWorkflow) continue;
    const result = expandScope(table, spec, campaign.dir, fromWorkflow);
    scopes.push({ table, result });
    diagnostics.push(...result.diagnostics);
    if (result.set) setOf.set(table.id, result.set);
  }
  const pairing: Pairing[] = [];
  const emptyReport = (nodes: NodeTasks[] = []): ExpansionReport => ({ scopes, nodes });
  if (hasErrors(diagnostics)) return { pairing, report: emptyReport(), diagnostics };
  // Nothing fans out and no edge names instances: every node is one task (a selector such as
  // `gen[step=1]` still goes the long way, which says it selects from a node with no instances).
  if (scopes.length === 0 && workflows.size === 0 && graph.edges.every((e) => e.selector === undefined)) {
    const tasks = plainGraph(campaign, graph);
    return {
      tasks,
      pairing: graph.edges.map(() => ({ kind: 'single' })),
      report: emptyReport(tasks.nodes as NodeTasks[]),
      diagnostics,
    };
  }

  lap('instances');
  // Per runnable node: its instances, templates, items left after skip_complete, chunking.
  const nodes: NodeTasks[] = [];
  const plans: (NodePlan | undefined)[] = [];
  const edgeNodes = new Map<string, EdgeNode>();
  const plainCommands = new Map<string, string | readonly string[] | undefined>();
  let total = 0;
  let cache: CheckCache | undefined;
  for (const node of graph.tasks) {
    const chain: InstanceSet[] = [];
    for (
      let cur: NodeSpec | undefined = node;
      cur;
      cur = cur.parent ? campaign.nodes.get(cur.parent) : undefined
    ) {
      const set = setOf.get(cur.id);
      if (set) chain.unshift(set);
    }
    const wf = workflows.get(node.id);
    const estimate = wf?.estimate;
    if (chain.length === 0) {
      nodes.push({ node, first: total, count: 1, ...(estimate ? { estimate } : {}) });
      plans.push(undefined);
      if (wf?.build) plainCommands.set(node.id, built(wf, { taskId: node.id }, diagnostics));
      total += 1;
      continue;
    }
    const instances: Instances = chain.length === 1 ? chain[0]! : new ProductSet(chain);
    const source = wf
      ? wf.source
      : node.command !== undefined
        ? { command: node.command, path: [...node.docPath, 'command'] }
        : undefined;
    const chunk = node.fanout?.chunk;
    const compiled = compileNode(node, instances, chunk, source, diagnostics);
    if (!compiled) {
      nodes.push({ node, first: total, count: 0 });
      plans.push(undefined);
      continue;
    }
    let kept: Int32Array = identity(instances.count);
    let skipped = 0;
    if (node.fanout?.skipComplete && input.evaluateOutputs) {
      cache ??= CheckCache.of(campaign);
      const done = await completeInstances(campaign, node, instances, compiled, {
        runChecks: input.runChecks ?? false,
        cache,
        ...(input.removed ? { removed: input.removed } : {}),
      });
      const list = new Int32Array(instances.count);
      let n = 0;
      for (let i = 0; i < instances.count; i++) if (!done[i]) list[n++] = i;
      kept = list.subarray(0, n);
      skipped = instances.count - n;
    }
    const spread = chunk !== undefined ? new Spread(kept.length, chunk) : undefined;
    const count = spread ? spread.tasks : kept.length;
    let plan = new NodePlan(campaign, node, instances, compiled, kept, spread, undefined, estimate);
    if (wf?.build) {
      const commands = workflowCommands(plan, wf, count, diagnostics);
      plan = new NodePlan(campaign, node, instances, compiled, kept, spread, commands, estimate);
    }
    const idSource = scopes.find((s) => s.result.set === chain[chain.length - 1])?.result.idSource ?? 'index';
    nodes.push({
      node,
      first: total,
      count,
      fanout: { instances, kept, skipped, ...(spread ? { spread } : {}), idSource },
      ...(estimate ? { estimate } : {}),
    });
    plans.push(plan);
    total += count;
  }
  cache?.save();
  if (hasErrors(diagnostics)) return { pairing, report: emptyReport(nodes), diagnostics };

  lap('templates');
  // The tasks, in node order.
  const tasks: TaskSpec[] = new Array(total);
  for (let v = 0; v < nodes.length; v++) {
    const nt = nodes[v]!;
    const plan = plans[v];
    if (plan) {
      for (let k = 0; k < nt.count; k++) {
        tasks[nt.first + k] = plan.spread ? new ChunkTask(plan, k) : new InstanceTask(plan, k, plan.kept[k]!);
      }
      continue;
    }
    const command = plainCommands.has(nt.node.id)
      ? plainCommands.get(nt.node.id)
      : (nt.node.command ?? ['true']);
    if (command === undefined) continue;
    const t = runAware(taskOf(campaign, nt.node, nt.node.id, command, {}));
    tasks[nt.first] = nt.estimate ? { ...t, estimate: nt.estimate } : t;
  }

  for (let v = 0; v < nodes.length; v++) {
    const nt = nodes[v]!;
    edgeNodes.set(nt.node.id, edgeNode(nt, plans[v]));
  }
  lap('tasks');
  const edges = buildTaskEdges(graph.edges, edgeNodes, total, diagnostics);
  lap('edges');
  if (!edges) return { pairing, report: emptyReport(nodes), diagnostics };
  pairing.push(...edges.pairing);
  if (hasErrors(diagnostics)) return { pairing, report: emptyReport(nodes), diagnostics };
  const dag = Dag.build(total, edges.from, edges.to);
  const { order, cyclic } = dag.topoOrder();
  if (cyclic.length > 0) {
    diagnostics.push(...taskCycles(dag, cyclic, (v) => tasks[v]!.id, edges, graph.edges));
    return { pairing, report: emptyReport(nodes), diagnostics };
  }
  lap('task dag');
  return {
    tasks: makeGraph(tasks, dag, order, nodes, edges.of),
    pairing,
    report: emptyReport(nodes),
    diagnostics,
  };
}
