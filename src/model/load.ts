import { dirname, resolve } from 'node:path';
import { type Diagnostic, hasErrors, type LocatedDiagnostic } from '../config/diagnostic.js';
import { interpolate, isTable } from '../config/interpolate.js';
import { Locator } from '../config/locate.js';
import { applyOverrides, overrideSource, parseOverrides, unusedVarOverrides } from '../config/overrides.js';
import { type Parsed, parseSource } from '../config/parse.js';
import { checkShape } from '../config/shape.js';
import { readSource, type Source } from '../config/source.js';
import { buildCampaign, type Campaign } from './campaign.js';
import type { Pairing } from './expand/edges.js';
import { type ExpansionReport, expandCampaign } from './expand/index.js';
import { buildGraph, type CampaignGraph, checkBudget } from './graph.js';
import { resolveDependencies } from './resolve.js';
import { checkSchedulerOptions } from './scheduler-options.js';
import { settingTypes, validateSchema } from './schema.js';
import type { TaskGraph } from './tasks.js';
import { checkWorkflows, prepareWorkflows } from './workflows/bind.js';
import { loadPlugins } from './workflows/plugins.js';
import { WorkflowRegistry } from './workflows/registry.js';
import { liftTableParams } from './workflows/table-type.js';

export interface LoadOptions {
  /** `--set path=value` texts, in command-line order. */
  readonly overrides?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called with the time each stage took (for the benchmark breakdown). */
  readonly timing?: (stage: string, ms: number) => void;
  /** Look at the workdir for `skip_complete` (outputs, and cached `check` results); default true. */
  readonly evaluateOutputs?: boolean;
  /**
   * Run `skip_complete` checks whose outputs changed since their last check (what `run` and
   * `expand` do). Default: only when `onExpansion` is given, as `campaign expand` does; other
   * loads use cached results and take unchecked outputs as complete.
   */
  readonly runChecks?: boolean;
  /** `skip_complete`: delete the outputs of items whose check fails, and report them. */
  readonly removed?: (task: string, files: readonly string[]) => void;
  /** Called with what expansion found, even when it found problems (for `campaign expand`). */
  readonly onExpansion?: (report: ExpansionReport) => void;
}

export interface Loaded {
  readonly campaign: Campaign;
  readonly graph: CampaignGraph;
  /** The units of execution: nodes, or the instances and chunks that fan-out expands them into. */
  readonly tasks: TaskGraph;
  /** Per node edge (graph.edges), how the instances of its two ends are paired. */
  readonly pairing: readonly Pairing[];
  /** Warnings (errors make the load fail). */
  readonly diagnostics: readonly LocatedDiagnostic[];
}

export type LoadResult =
  | { ok: true; value: Loaded }
  | { ok: false; diagnostics: readonly LocatedDiagnostic[]; fatal?: string };

/**
 * The front end: read, parse, apply overrides, substitute variables, validate against the
 * schema, build the tree, load plugins and check workflow params, resolve dependencies, check
 * the DAG, then expand fan-outs into tasks. Every problem found on the way is returned at once,
 * with positions computed only then. Async because plugins are ES modules, imported.
 */
export async function loadCampaign(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const time = options.timing ?? (() => {});
  let t0 = performance.now();
  const lap = (stage: string) => {
    const t1 = performance.now();
    time(stage, t1 - t0);
    t0 = t1;
  };
  const read = readSource(file);
  if (!read.ok) return { ok: false, diagnostics: [], fatal: read.message };
  const sources: Source[] = [read.source, ...(options.overrides ?? []).map(overrideSource)];
  const parsedBy = new Map<number, Parsed>();
  const locator = () => new Locator(sources, parsedBy, overrides);
  const fail = (ds: Diagnostic[]): LoadResult => ({
    ok: false,
    diagnostics: sortDiagnostics(locator().locateAll(ds)),
  });

  const { overrides, diagnostics: overrideProblems } = parseOverrides(options.overrides ?? [], 1);
  const parsed = parseSource(read.source, 0);
  lap('parse');
  if (!parsed.ok) return fail([...parsed.diagnostics, ...overrideProblems]);
  parsedBy.set(0, parsed.parsed);
  const data = parsed.parsed.data;
  const fileVars = varNames(data);
  const diagnostics: Diagnostic[] = [...overrideProblems, ...applyOverrides(data, overrides, settingTypes)];
  // Before anything walks the document: bounded nesting, finite numbers, no NUL characters.
  const shape = checkShape(data);
  diagnostics.push(...shape.diagnostics);
  if (shape.tooDeep) return fail(diagnostics);
  const usedVars = new Set<string>();
  diagnostics.push(...interpolate(data, options.env ?? process.env, usedVars));
  diagnostics.push(...unusedVarOverrides(overrides, fileVars, usedVars));
  lap('variables');
  // Plugins first: a table named after a type they register takes its parameters as keys.
  const registry = WorkflowRegistry.withBuiltins();
  const plugins = pluginList(data);
  if (plugins.length > 0)
    diagnostics.push(...(await loadPlugins({ plugins, dir: dirname(read.path) }, registry)));
  const lifted = liftTableParams(data, registry);
  diagnostics.push(...lifted.diagnostics, ...validateSchema(data));
  lap('schema');
  const { campaign, diagnostics: treeProblems } = buildCampaign(data, read.path, dirname(read.path));
  // A table whose keys were one untyped-params diagnostic is not also an empty group.
  const notUntyped = (d: Diagnostic) =>
    d.code !== 'empty-group' || !lifted.untyped.has(JSON.stringify(d.where?.path));
  diagnostics.push(...treeProblems.filter(notUntyped), ...checkSchedulerOptions(data, campaign));
  const bound = checkWorkflows(campaign, registry, diagnostics, lifted.origins);
  const { edges, diagnostics: depProblems } = resolveDependencies(campaign);
  diagnostics.push(...depProblems);
  const { graph, diagnostics: graphProblems } = buildGraph(campaign, edges);
  diagnostics.push(...graphProblems, ...checkBudget(campaign, graph));
  lap('dag');
  if (hasErrors(diagnostics)) return fail(diagnostics);
  const workflows = bound.length > 0 ? await prepareWorkflows(campaign, bound, diagnostics) : new Map();
  const expanded = await expandCampaign({
    campaign,
    graph,
    workflows,
    evaluateOutputs: options.evaluateOutputs ?? true,
    runChecks: options.runChecks ?? options.onExpansion !== undefined,
    ...(options.removed ? { removed: options.removed } : {}),
    ...(options.timing ? { timing: (stage: string, ms: number) => time(`expand: ${stage}`, ms) } : {}),
  });
  diagnostics.push(...expanded.diagnostics);
  options.onExpansion?.(expanded.report);
  if (hasErrors(diagnostics) || !expanded.tasks) return fail(diagnostics);
  const warnings = diagnostics.length > 0 ? sortDiagnostics(locator().locateAll(diagnostics)) : [];
  return {
    ok: true,
    value: { campaign, graph, tasks: expanded.tasks, pairing: expanded.pairing, diagnostics: warnings },
  };
}

/**
 * Diagnostics in file order, so output is stable whatever the order of discovery, each once: a
 * setting inherited by many nodes is reported where it was written, not once per node.
 */
export function sortDiagnostics(ds: LocatedDiagnostic[]): LocatedDiagnostic[] {
  const rank = (d: LocatedDiagnostic) => (d.location?.file === '--set' ? 1 : 0);
  const seen = new Set<string>();
  return ds
    .filter((d) => {
      const l = d.location;
      const key = `${d.severity}|${d.code}|${d.message}|${l ? `${l.file}:${l.line}:${l.column}:${l.length}` : ''}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        rank(a.d) - rank(b.d) ||
        (a.d.location?.line ?? 0) - (b.d.location?.line ?? 0) ||
        (a.d.location?.column ?? 0) - (b.d.location?.column ?? 0) ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

/** `[campaign] plugins` as written, when it is a list of strings (the schema reports anything else). */
function pluginList(data: Record<string, unknown>): string[] {
  const c = data.campaign;
  const p = isTable(c) ? c.plugins : undefined;
  return Array.isArray(p) && p.every((x) => typeof x === 'string') ? p : [];
}

/** The variables the campaign file itself defines, before any `--set`. */
function varNames(data: Record<string, unknown>): Set<string> {
  const c = data.campaign;
  const vars = isTable(c) ? c.vars : undefined;
  return new Set(isTable(vars) ? Object.keys(vars) : []);
}

export const campaignDir = (file: string): string => dirname(resolve(file));
