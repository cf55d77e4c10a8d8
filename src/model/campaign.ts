import { type Diagnostic, type DocPath, diag } from '../config/diagnostic.js';
import { isTable } from '../config/interpolate.js';
import { type Cluster, parseCluster } from '../plan/cluster.js';
import { parseDeadline } from '../plan/deadline.js';
import { parseEscalation } from '../plan/escalate.js';
import type { Headroom, Scaling } from '../plan/size.js';
import { parseHeadroom, parseScaling } from '../plan/size-values.js';
import { isSchedulerType, jobOptionKeys, type SchedulerType, settingKeys } from '../schedulers/index.js';
import { BACKOFF_RULE, durationIn, LIMIT_RULE, memoryIn, POLL_RULE, TIMEOUT_RULE } from './bounds.js';
import { nodeKeys } from './schema.js';

/** What one instance of a node needs. Memory in MiB, runtime in seconds. */
export interface Resources {
  readonly cores: number;
  readonly ranks?: number;
  readonly threads?: number;
  readonly memory?: number;
  readonly gpus: number;
  readonly nodes: number;
  readonly runtime?: number;
  /** Where each field was set (for diagnostics about inherited values). */
  readonly origins: Readonly<Record<string, DocPath>>;
}

/** The declared scalings of a node: MiB and seconds, in place of a plain `memory` or `runtime`. */
export interface NodeScaling {
  readonly memory?: Scaling;
  readonly runtime?: Scaling;
}

/** Why an attempt ended; retry policies and the resource planner act on it. */
export type FailureKind = 'failed' | 'timeout' | 'oom' | 'node_fail' | 'preempted' | 'cancelled' | 'lost';

export interface RetryPolicy {
  readonly count: number;
  /** Seconds before the first retry; doubled for each further one. */
  readonly backoff: number;
  readonly on: readonly FailureKind[];
  /** Factors on the memory and the time limit of the retry after `oom` or `timeout` (1: none). */
  readonly escalate?: { readonly memory: number; readonly runtime: number };
}

/**
 * Job options, merged key by key along the tree. The named ones are the batch adapters' of
 * today; every job option the registry declares is carried as written.
 */
export interface SchedulerOptions {
  readonly partition?: string;
  readonly queue?: string;
  readonly account?: string;
  readonly project?: string;
  readonly qos?: string;
  readonly directives?: readonly string[];
}

/** One `depends_on` entry as written, with where it was written. */
export interface DepRef {
  readonly text: string;
  /** The declaring table's document path. */
  readonly table: DocPath;
  /** The entry's index in the `depends_on` array; -1 for the string form. */
  readonly index: number;
}

/** The document path of a `depends_on` entry (built only when a diagnostic needs it). */
export function refPath(ref: DepRef): DocPath {
  return ref.index < 0 ? [...ref.table, 'depends_on'] : [...ref.table, 'depends_on', ref.index];
}

/** A matrix or zip list: values, or an inclusive integer range written `"0..249"`. */
export type FanoutList = readonly (string | number | boolean)[] | string;

/** Fan-out as declared; the expansion stage turns it into instances. */
export interface FanoutSpec {
  readonly matrix?: Readonly<Record<string, FanoutList>>;
  readonly zip?: Readonly<Record<string, FanoutList>>;
  readonly foreach?: string | Readonly<Record<string, string>>;
  readonly id?: string;
  readonly chunk?: number;
  readonly skipComplete?: boolean;
  /** The table that declares the fan-out (a node, or a group that fans out a whole chain). */
  readonly docPath: DocPath;
}

/** A subcampaign: a runnable node, or a group of them. Settings are already inherited. */
export interface NodeSpec {
  /** Stable path id: `ml-null-tests.mission-tests`. */
  readonly id: string;
  readonly name: string;
  readonly kind: 'task' | 'group';
  /** Document path of the node's table: `['campaign', 'ml-null-tests', 'mission-tests']`. */
  readonly docPath: DocPath;
  readonly parent?: string;
  readonly children: string[];
  readonly description?: string;
  readonly command?: string | readonly string[];
  readonly workflow?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** Its own `depends_on` entries; groups' entries apply to every node inside them. */
  readonly dependsOn: readonly DepRef[];
  readonly resources: Resources;
  readonly env: Readonly<Record<string, string>>;
  readonly setup: readonly string[];
  readonly workdir?: string;
  /** Where the inherited `workdir` and `env` values were written, for diagnostics. */
  readonly written: WrittenAt;
  readonly outputs: readonly string[];
  /** `inputs`: the files a task reads, templated like outputs (for `per_input_gib`). */
  readonly inputs?: readonly string[];
  readonly check?: string | readonly string[];
  /** Files the campaign writes once a task succeeded (src/exec/markers.ts); paths as written. */
  readonly markers?: MarkerPaths;
  readonly retries: RetryPolicy;
  readonly timeout?: number;
  readonly runAfter: 'success' | 'any';
  readonly scheduler: SchedulerOptions;
  readonly maxParallel?: number;
  /** Fan-out declared on this table itself. */
  readonly fanout?: FanoutSpec;
  /** `headroom`, inherited (closest wins): percent added to the memory and runtime estimates. */
  readonly headroom?: Headroom;
  /** Where the inherited `headroom` was written. */
  readonly headroomAt?: DocPath;
  /** A declared scaling of memory or runtime (`{ base, per_item, per_input_gib }`), inherited. */
  readonly scaling?: NodeScaling;
  /** Where the inherited `scheduler.partition` (or `queue`) was written. */
  readonly partitionAt?: DocPath;
}

/** `markers = { ready = "...", done = "..." }`. */
export interface MarkerPaths {
  readonly ready?: string;
  readonly done?: string;
}

/** Document paths of inherited settings: the table that set them, not the node. */
export interface WrittenAt {
  readonly workdir?: DocPath;
  readonly env: Readonly<Record<string, DocPath>>;
}

/** What the whole campaign may use. */
export interface Budget {
  readonly nodes?: number;
  readonly coresPerNode?: number;
  readonly memoryPerNode?: number;
  readonly gpusPerNode?: number;
  /** As written: a duration from the run's start, ISO text, or a TOML datetime (a Date). */
  readonly deadline?: string | Date;
}

export type { SchedulerType };

export interface CampaignScheduler extends SchedulerOptions {
  readonly type: SchedulerType;
  /** The schedulers the file is written for besides `type` (`targets`), if it says so. */
  readonly targets?: readonly SchedulerType[];
  readonly pollInterval?: number;
  readonly submitRate?: number;
  /** The adapter's own run settings as written (Grid Engine's `pe`, `memory_complex`, ...). */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
}

/** `[campaign.scheduler]` keys that set up an adapter, kept as written for the registry. */

/**
 * `[campaign.cluster]` read in place, or `cluster = "clusters/NAME.toml"`: a file the command
 * reads (the front end reads no other file).
 */
export type ClusterRef =
  | { readonly kind: 'inline'; readonly cluster: Cluster; readonly at: DocPath }
  | { readonly kind: 'file'; readonly path: string; readonly at: DocPath };

/** A validated campaign tree. Nodes are in document order. */
export interface Campaign {
  readonly name: string;
  readonly description?: string;
  /** Absolute path of the campaign file, and its folder (relative paths resolve there). */
  readonly file: string;
  readonly dir: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly budget: Budget;
  readonly scheduler: CampaignScheduler;
  readonly plugins: readonly string[];
  readonly seed: number;
  readonly stateDir?: string;
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  /** Where the campaign runs: its partitions or queues. */
  readonly cluster?: ClusterRef;
  /** `history = "apply"`: runs request what earlier runs observed (as `run --apply-history`). */
  readonly history?: 'apply' | 'ignore';
  /** Top-level subcampaign ids. */
  readonly roots: readonly string[];
}

const CAMPAIGN_ONLY = new Set([
  'name',
  'description',
  'vars',
  'defaults',
  'resources',
  'scheduler',
  'plugins',
  'seed',
  'state_dir',
  'cluster',
  'history',
]);
const NODE_KEYS = new Set(nodeKeys);

/** The schema's bound on `cores`, which `ranks` x `threads` must keep too. */
const MAX_CORES = 100_000;

interface Inherited {
  resources: Record<string, number>;
  origins: Record<string, DocPath>;
  /** The Resources object nodes share until a table changes them. */
  resourcesSpec: Resources;
  env: Record<string, string>;
  setup: string[];
  workdir?: string;
  written: WrittenAt;
  retries: RetryPolicy;
  timeout?: number;
  runAfter: 'success' | 'any';
  scheduler: SchedulerOptions;
  headroom?: Headroom;
  headroomAt?: DocPath;
  scaling?: NodeScaling;
  partitionAt?: DocPath;
}

const NO_RETRIES: RetryPolicy = {
  count: 0,
  backoff: 10,
  on: ['failed', 'timeout', 'oom', 'node_fail', 'preempted', 'lost'],
};

/**
 * Builds the campaign tree from a document the schema has seen. It tolerates values of the
 * wrong type (the schema already reported them) so that semantic problems are reported too.
 */
export function buildCampaign(
  data: Record<string, unknown>,
  file: string,
  dir: string,
): { campaign: Campaign; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const c = isTable(data.campaign) ? data.campaign : {};
  const nodes = new Map<string, NodeSpec>();
  const base: Inherited = {
    resources: { cores: 1, gpus: 0, nodes: 1 },
    origins: {},
    resourcesSpec: { cores: 1, gpus: 0, nodes: 1, origins: {} },
    env: {},
    written: { env: {} },
    setup: [],
    retries: NO_RETRIES,
    runAfter: 'success',
    // [campaign.scheduler]'s partition, account and so on are every node's starting point.
    scheduler: schedulerOptions(isTable(c.scheduler) ? c.scheduler : {}),
    ...partitionAt(isTable(c.scheduler) ? c.scheduler : {}, ['campaign', 'scheduler']),
  };
  const defaults = isTable(c.defaults) ? c.defaults : {};
  const top = inherit(base, defaults, ['campaign', 'defaults'], diagnostics);

  const roots: string[] = [];
  const visit = (
    table: Record<string, unknown>,
    docPath: DocPath,
    parent: NodeSpec | undefined,
    inh: Inherited,
  ) => {
    // Most tables set nothing to inherit: share the parent's settings instead of copying them.
    const isRoot = parent === undefined;
    for (const key of Object.keys(table)) {
      if (isRoot ? CAMPAIGN_ONLY.has(key) : NODE_KEYS.has(key)) continue;
      const child = table[key];
      if (!isTable(child)) continue; // reported by the schema as an unknown key
      const childPath = [...docPath, key];
      const id = parent ? `${parent.id}.${key}` : key;
      const own = setsInherited(child) ? inherit(inh, child, childPath, diagnostics) : inh;
      const runnable = child.command !== undefined || child.workflow !== undefined;
      const node = {
        id,
        name: key,
        kind: runnable ? 'task' : 'group',
        docPath: childPath,
        children: [],
        dependsOn: depRefs(child.depends_on, childPath),
        resources: own.resourcesSpec,
        env: own.env,
        written: own.written,
        setup: own.setup,
        outputs: stringList(child.outputs),
        ...(child.inputs !== undefined ? { inputs: stringList(child.inputs) } : {}),
        retries: own.retries,
        runAfter: own.runAfter,
        scheduler: own.scheduler,
      } as Mutable<NodeSpec>;
      if (parent) node.parent = parent.id;
      if (typeof child.description === 'string') node.description = child.description;
      const command = commandOf(child);
      if (command !== undefined) node.command = command;
      if (typeof child.workflow === 'string') node.workflow = child.workflow;
      if (isTable(child.params)) node.params = child.params;
      if (own.workdir !== undefined) node.workdir = own.workdir;
      if (typeof child.check === 'string' || isStringArray(child.check)) node.check = child.check;
      const markers = markersOf(child.markers);
      if (markers) node.markers = markers;
      if (own.timeout !== undefined) node.timeout = own.timeout;
      if (own.headroom !== undefined) {
        node.headroom = own.headroom;
        if (own.headroomAt) node.headroomAt = own.headroomAt;
      }
      if (own.scaling) node.scaling = own.scaling;
      if (own.partitionAt) node.partitionAt = own.partitionAt;
      if (typeof child.max_parallel === 'number') node.maxParallel = child.max_parallel;
      const fanout = fanoutOf(child, childPath);
      if (fanout) node.fanout = fanout;
      const clash = nodes.get(id);
      if (clash) {
        diagnostics.push(
          diag(
            'duplicate-id',
            `duplicate node id \`${id}\``,
            { path: childPath, part: 'key' },
            {
              related: [{ message: 'first defined here', where: { path: clash.docPath, part: 'key' } }],
              suggestion: 'rename one of them; a name with `.` in it collides with a nested table',
            },
          ),
        );
        continue;
      }
      nodes.set(id, node);
      if (parent) parent.children.push(id);
      else roots.push(id);
      visit(child, childPath, node, own);
      if (runnable && node.children.length > 0) {
        diagnostics.push(
          diag(
            'runnable-with-children',
            `\`${id}\` has a command and also subcampaigns; a node is either runnable or a group`,
            { path: childPath, part: 'key' },
            { suggestion: 'move the command into a subcampaign of its own' },
          ),
        );
      }
      // A table whose keys were all misspelt settings already has its errors; say nothing more.
      const misspelt = Object.keys(child).some((k) => !NODE_KEYS.has(k) && !isTable(child[k]));
      if (!runnable && node.children.length === 0 && !misspelt) {
        const near = [...NODE_KEYS].find(
          (k) => k !== key && k.startsWith(key.slice(0, 4)) && Math.abs(k.length - key.length) <= 2,
        );
        diagnostics.push(
          diag(
            'empty-group',
            `\`${id}\` has neither a command nor subcampaigns`,
            { path: childPath, part: 'key' },
            {
              severity: 'warning',
              suggestion: near
                ? `did you mean the setting \`${near}\`?`
                : 'add `command = "..."` or a subcampaign',
            },
          ),
        );
      }
    }
  };
  visit(c, ['campaign'], undefined, top);

  const sched = isTable(c.scheduler) ? c.scheduler : {};
  const budgetT = isTable(c.resources) ? c.resources : {};
  const campaign: Campaign = {
    name: typeof c.name === 'string' ? c.name : 'campaign',
    ...(typeof c.description === 'string' ? { description: c.description } : {}),
    file,
    dir,
    vars: isTable(c.vars) ? c.vars : {},
    budget: {
      ...(typeof budgetT.nodes === 'number' ? { nodes: budgetT.nodes } : {}),
      ...(typeof budgetT.cores_per_node === 'number' ? { coresPerNode: budgetT.cores_per_node } : {}),
      ...(typeof budgetT.memory_per_node === 'string'
        ? optional(
            'memoryPerNode',
            memoryIn(budgetT.memory_per_node, ['campaign', 'resources', 'memory_per_node'], diagnostics),
          )
        : {}),
      ...(typeof budgetT.gpus_per_node === 'number' ? { gpusPerNode: budgetT.gpus_per_node } : {}),
      ...deadlineOf(budgetT.deadline, diagnostics),
    },
    scheduler: {
      type: isSchedulerType(sched.type) ? sched.type : 'local',
      ...schedulerOptions(sched),
      ...(typeof sched.poll_interval === 'string'
        ? optional(
            'pollInterval',
            durationIn(
              sched.poll_interval,
              ['campaign', 'scheduler', 'poll_interval'],
              POLL_RULE,
              diagnostics,
            ),
          )
        : {}),
      ...(typeof sched.submit_rate === 'number' ? { submitRate: sched.submit_rate } : {}),
      ...(isStringArray(sched.targets) ? { targets: sched.targets.filter(isSchedulerType) } : {}),
      ...adapterSettings(sched),
    },
    plugins: stringList(c.plugins),
    seed: typeof c.seed === 'number' ? c.seed : 0,
    ...(typeof c.state_dir === 'string' ? { stateDir: c.state_dir } : {}),
    nodes,
    ...clusterOf(c.cluster, diagnostics),
    ...(c.history === 'apply' || c.history === 'ignore' ? { history: c.history } : {}),
    roots,
  };
  return { campaign, diagnostics };
}

/** `[campaign.cluster]` parsed in place (its problems at their keys), or the file it names. */
function clusterOf(v: unknown, diagnostics: Diagnostic[]): { cluster?: ClusterRef } {
  const at = ['campaign', 'cluster'];
  if (typeof v === 'string') return { cluster: { kind: 'file', path: v, at } };
  if (v === undefined) return {};
  const parsed = parseCluster(v, at);
  if (!parsed.ok) {
    diagnostics.push(...parsed.errors);
    return {};
  }
  return { cluster: { kind: 'inline', cluster: parsed.value, at } };
}

/** Where a scheduler table names a partition or queue, for diagnostics about it. */
function partitionAt(t: Record<string, unknown>, at: DocPath): { partitionAt?: DocPath } {
  if (typeof t.partition === 'string') return { partitionAt: [...at, 'partition'] };
  if (typeof t.queue === 'string') return { partitionAt: [...at, 'queue'] };
  return {};
}

/** `deadline` as written, when it is a date-time or a duration; otherwise a diagnostic. */
function deadlineOf(v: unknown, diagnostics: Diagnostic[]): { deadline?: string | Date } {
  if (typeof v !== 'string' && !(v instanceof Date)) return {};
  // Only the form is checked here: whether it has passed depends on when the run starts.
  const d = parseDeadline(v, { now: -8.64e15 });
  if (!d.ok && d.error.code === 'bad-deadline') {
    diagnostics.push(
      diag(
        'bad-deadline',
        d.error.message,
        { path: ['campaign', 'resources', 'deadline'], part: 'value' },
        {
          suggestion: 'write a duration such as "36h", or a date-time such as 2026-12-01T18:00:00Z',
        },
      ),
    );
    return {};
  }
  return { deadline: v };
}

function optional<K extends string>(key: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: number };
}

function setsInherited(t: Record<string, unknown>): boolean {
  return (
    t.resources !== undefined ||
    t.env !== undefined ||
    t.setup !== undefined ||
    t.workdir !== undefined ||
    t.retries !== undefined ||
    t.timeout !== undefined ||
    t.run_after !== undefined ||
    t.scheduler !== undefined ||
    t.headroom !== undefined
  );
}

function inherit(
  from: Inherited,
  t: Record<string, unknown>,
  docPath: DocPath,
  diagnostics: Diagnostic[],
): Inherited {
  const out: Inherited = { ...from };
  if (isTable(t.resources)) {
    const r = t.resources;
    const resources = { ...from.resources };
    const origins = { ...from.origins };
    const at = (k: string): DocPath => [...docPath, 'resources', k];
    for (const k of ['cores', 'ranks', 'threads', 'gpus', 'nodes'] as const) {
      if (typeof r[k] === 'number') {
        resources[k] = r[k];
        origins[k] = at(k);
      }
    }
    if (typeof r.ranks === 'number' || typeof r.threads === 'number') {
      if (typeof r.cores === 'number') {
        diagnostics.push(
          diag(
            'cores-and-ranks',
            'give `cores`, or `ranks` and `threads`, not both',
            { path: at('cores'), part: 'key' },
            {
              suggestion: 'cores is ranks x threads; drop one of them',
            },
          ),
        );
      }
      resources.cores = (resources.ranks ?? 1) * (resources.threads ?? 1);
      origins.cores = at(typeof r.ranks === 'number' ? 'ranks' : 'threads');
      if (resources.cores > MAX_CORES) {
        diagnostics.push(
          diag(
            'bad-value',
            `ranks x threads make ${resources.cores} cores; at most ${MAX_CORES} are allowed`,
            { path: origins.cores, part: 'value' },
          ),
        );
      }
    } else if (typeof r.cores === 'number') {
      delete resources.ranks;
      delete resources.threads;
    }
    const scaling: { memory?: Scaling; runtime?: Scaling } = { ...from.scaling };
    if (typeof r.memory === 'string') {
      const m = memoryIn(r.memory, at('memory'), diagnostics);
      if (m !== undefined) {
        resources.memory = m;
        origins.memory = at('memory');
        delete scaling.memory;
      }
    }
    if (typeof r.runtime === 'string') {
      const s = durationIn(r.runtime, at('runtime'), LIMIT_RULE, diagnostics);
      if (s !== undefined) {
        resources.runtime = s;
        origins.runtime = at('runtime');
        delete scaling.runtime;
      }
    }
    // A scaling replaces the plain value it stands for: the planner sizes each task from it.
    for (const k of ['memory', 'runtime'] as const) {
      if (!isTable(r[k])) continue;
      const parsed = parseScaling(r[k], k, at(k));
      if (!parsed.ok) {
        diagnostics.push(...parsed.errors);
        continue;
      }
      scaling[k] = parsed.value;
      delete resources[k];
      origins[k] = at(k);
    }
    if (scaling.memory || scaling.runtime) out.scaling = scaling;
    else delete out.scaling;
    out.resources = resources;
    out.origins = origins;
    out.resourcesSpec = { ...(resources as unknown as Resources), origins };
  }
  if (isTable(t.env)) {
    const env = { ...from.env };
    const written = { ...from.written.env };
    for (const [k, v] of Object.entries(t.env)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        env[k] = String(v);
        written[k] = [...docPath, 'env', k];
      }
    }
    out.env = env;
    out.written = { ...out.written, env: written };
  }
  if (t.setup !== undefined) out.setup = stringList(t.setup);
  if (typeof t.workdir === 'string') {
    out.workdir = t.workdir;
    out.written = { ...out.written, workdir: [...docPath, 'workdir'] };
  }
  if (t.retries !== undefined)
    out.retries = retryPolicy(t.retries, from.retries, [...docPath, 'retries'], diagnostics);
  if (typeof t.timeout === 'string') {
    const s = durationIn(t.timeout, [...docPath, 'timeout'], TIMEOUT_RULE, diagnostics);
    if (s !== undefined) out.timeout = s;
  }
  if (t.run_after === 'any' || t.run_after === 'success') out.runAfter = t.run_after;
  if (isTable(t.scheduler)) {
    out.scheduler = { ...from.scheduler, ...schedulerOptions(t.scheduler) };
    Object.assign(out, partitionAt(t.scheduler, [...docPath, 'scheduler']));
  }
  if (isTable(t.headroom)) {
    const at = [...docPath, 'headroom'];
    const h = parseHeadroom(t.headroom, at);
    if (h.ok) {
      out.headroom = h.value;
      out.headroomAt = at;
    } else diagnostics.push(...h.errors);
  }
  return out;
}

function retryPolicy(v: unknown, from: RetryPolicy, path: DocPath, diagnostics: Diagnostic[]): RetryPolicy {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return { ...from, count: v };
  if (!isTable(v)) return from;
  const backoff =
    typeof v.backoff === 'string'
      ? durationIn(v.backoff, [...path, 'backoff'], BACKOFF_RULE, diagnostics)
      : undefined;
  return {
    count: typeof v.count === 'number' ? v.count : from.count,
    backoff: backoff ?? from.backoff,
    on: isStringArray(v.on) ? (v.on as FailureKind[]) : from.on,
    ...escalationOf(v.escalate, from.escalate, [...path, 'escalate'], diagnostics),
  };
}

/**
 * `escalate` of a retry policy: a table of factors (the rest 2.0), true (2.0 each) or false
 * (none); a bad table is `bad-escalate` (or `unknown-key`) at its key, and the inherited one stays.
 */
function escalationOf(
  v: unknown,
  from: RetryPolicy['escalate'],
  at: DocPath,
  diagnostics: Diagnostic[],
): Pick<RetryPolicy, 'escalate'> {
  if (v === false) return { escalate: { memory: 1, runtime: 1 } };
  if (v === true) return { escalate: { memory: 2, runtime: 2 } };
  if (!isTable(v)) return from ? { escalate: from } : {};
  const parsed = parseEscalation(v, at);
  if (parsed.ok) return { escalate: parsed.value };
  diagnostics.push(...parsed.errors);
  return from ? { escalate: from } : {};
}

function adapterSettings(t: Record<string, unknown>): {
  settings?: Record<string, string | number | boolean>;
} {
  const o: Record<string, string | number | boolean> = {};
  for (const k of settingKeys()) {
    const v = t[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') o[k] = v;
  }
  return Object.keys(o).length > 0 ? { settings: o } : {};
}

function schedulerOptions(t: Record<string, unknown>): SchedulerOptions {
  const o: Record<string, unknown> = {};
  for (const k of jobOptionKeys()) {
    if (typeof t[k] === 'string' || isStringArray(t[k])) o[k] = t[k];
  }
  return o as SchedulerOptions;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function commandOf(t: Record<string, unknown>): string | readonly string[] | undefined {
  if (typeof t.command === 'string' && t.command !== '') return t.command;
  if (isStringArray(t.command) && t.command.length > 0) return t.command;
  return undefined;
}

function fanoutOf(t: Record<string, unknown>, docPath: DocPath): FanoutSpec | undefined {
  const keys = ['matrix', 'zip', 'foreach', 'id', 'chunk', 'skip_complete'];
  if (!keys.some((k) => t[k] !== undefined)) return undefined;
  const lists = (v: unknown) =>
    isTable(v)
      ? (Object.fromEntries(
          Object.entries(v).filter(([, l]) => Array.isArray(l) || typeof l === 'string'),
        ) as FanoutSpec['matrix'])
      : undefined;
  const spec: FanoutSpec = {
    docPath,
    ...(lists(t.matrix) ? { matrix: lists(t.matrix)! } : {}),
    ...(lists(t.zip) ? { zip: lists(t.zip)! } : {}),
    ...(typeof t.foreach === 'string' || isTable(t.foreach)
      ? { foreach: t.foreach as FanoutSpec['foreach'] }
      : {}),
    ...(typeof t.id === 'string' ? { id: t.id } : {}),
    ...(typeof t.chunk === 'number' ? { chunk: t.chunk } : {}),
    ...(typeof t.skip_complete === 'boolean' ? { skipComplete: t.skip_complete } : {}),
  };
  return spec;
}

const NO_REFS: readonly DepRef[] = [];

function depRefs(v: unknown, table: DocPath): readonly DepRef[] {
  if (typeof v === 'string') return [{ text: v, table, index: -1 }];
  if (!Array.isArray(v)) return NO_REFS;
  const out: DepRef[] = [];
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x === 'string') out.push({ text: x, table, index: i });
  }
  return out;
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return isStringArray(v) ? [...v] : [];
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function markersOf(v: unknown): MarkerPaths | undefined {
  if (!isTable(v)) return undefined;
  const out: { ready?: string; done?: string } = {};
  if (typeof v.ready === 'string') out.ready = v.ready;
  if (typeof v.done === 'string') out.done = v.done;
  return out.ready !== undefined || out.done !== undefined ? out : undefined;
}
