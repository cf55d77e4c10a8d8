import picomatch from 'picomatch';
import { nearest } from '../config/suggest.js';
import { conditionValue, parseSelector, splitSelector } from '../model/expand/selector.js';
import type { TaskGraph, TaskSpec } from '../model/tasks.js';
import { runNumber, type StateStore, type TaskRecord } from '../state/store.js';
import { missingOutputs } from './outputs.js';

/** Why a task runs. */
export type RunReason =
  | 'new'
  | 'changed'
  | 'failed'
  | 'incomplete'
  | 'outputs missing'
  | 'upstream changed'
  | 'forced';

export enum Action {
  Run = 0,
  /** Up to date: its last success stands. */
  Done = 1,
  /** Not selected; counts as done for dependents when it has an up-to-date success. */
  Excluded = 2,
}

export interface RunPlan {
  readonly action: Uint8Array;
  readonly reason: (RunReason | undefined)[];
  /** For excluded tasks: whether their last success stands. */
  readonly upToDate: Uint8Array;
}

export interface Selection {
  readonly only?: readonly string[];
  readonly from?: string;
  readonly until?: string;
  /** `true` forces every selected task; a list forces the tasks matching its patterns. */
  readonly force?: boolean | readonly string[];
  readonly retryFailed?: boolean;
  /**
   * `--index 10..20`: of fanned-out nodes, only the tasks at these positions (both ends
   * included): an instance's position among its node's instances, a chunk's among its chunks
   * ($CAMPAIGN_TASK_INDEX). Tasks of nodes without fan-out are not affected.
   */
  readonly index?: { readonly from: number; readonly to: number };
}

export type SelectResult = { ok: true; plan: RunPlan } | { ok: false; message: string };

/**
 * Matches tasks against patterns: a node or group path or a glob (`ml-null-tests`, `*.wepp`),
 * optionally with an instance selector: `wepp[huc-12*]` (instance ids), `wepp[run=huc-12*]` or
 * `gen[step=3,batch=1?]` (instance values; a chunk matches when one of its items does), `gen[*]`.
 */
export function matcher(patterns: readonly string[]): (task: TaskSpec | string) => boolean {
  const tests = patterns.map((p) => patternTest(p));
  return (task) => {
    const id = typeof task === 'string' ? task : task.id;
    const t = typeof task === 'string' ? undefined : task;
    return tests.some((test) => test(id, t));
  };
}

function patternTest(p: string): (id: string, task: TaskSpec | undefined) => boolean {
  const { path, selector } = splitSelector(p);
  const glob = picomatch(path, { dot: true });
  const below = picomatch(`${path}.**`, { dot: true });
  const node = (nodeId: string) => glob(nodeId) || below(nodeId) || nodeId.startsWith(`${path}.`);
  if (selector === undefined) {
    const whole = picomatch(p, { dot: true });
    return (id) => whole(id) || node(nodeOf(id));
  }
  const parsed = parseSelector(selector);
  if (!parsed.ok) return () => false;
  const sel = parsed.selector;
  return (id, task) => {
    if (!node(nodeOf(id))) return false;
    const instance = instanceOf(id);
    if (sel.kind === 'all') return true;
    if (instance === undefined) return false;
    if (sel.kind === 'id') {
      if (sel.test(instance)) return true;
      return (task?.items ?? []).some((item) => sel.test(item.instance));
    }
    return (task?.items ?? []).some((item) =>
      sel.conditions.every((c) => c.test(conditionValue(c, (k) => item.values[k]))),
    );
  };
}

/** `a.b[x]` → `a.b`. */
function nodeOf(id: string): string {
  const open = id.indexOf('[');
  return open < 0 ? id : id.slice(0, open);
}

/** `a.b[x]` → `x`. */
function instanceOf(id: string): string | undefined {
  const open = id.indexOf('[');
  return open < 0 ? undefined : id.slice(open + 1, -1);
}

/** `--index` as written: `10..20`, `5`, `10..` (to the end) or `..20`; a message when malformed. */
export function parseIndexRange(text: string): { from: number; to: number } | string {
  const m = /^\s*([0-9]*)\s*(\.\.)?\s*([0-9]*)\s*$/.exec(text);
  if (!m || (m[1] === '' && m[3] === '') || (m[2] === undefined && m[3] !== '')) {
    return `--index takes a position or a range such as 10..20, not ${JSON.stringify(text)}`;
  }
  const from = m[1] === '' ? 0 : Number(m[1]);
  const to = m[2] === undefined ? from : m[3] === '' ? Number.MAX_SAFE_INTEGER : Number(m[3]);
  if (to < from) return `--index ${text} is empty: it ends before it starts`;
  return { from, to };
}

const none = (_: TaskSpec) => false;

/** Decides what a run does with each task, and why. */
export function planRun(graph: TaskGraph, store: StateStore, sel: Selection): SelectResult {
  const { tasks, dag, order } = graph;
  const n = tasks.length;
  const unknown = (p: string): string => {
    const { path, selector } = splitSelector(p);
    const ofNode = matcher([path, `*.${path}`]);
    if (selector !== undefined && graph.nodes.some((nt) => ofNode(nt.node.id))) {
      const parsed = parseSelector(selector);
      if (!parsed.ok) return `'${p}': ${parsed.message}`;
      if (parsed.selector.kind === 'values') {
        const keys = new Set<string>();
        for (const nt of graph.nodes) {
          if (nt.fanout && ofNode(nt.node.id)) for (const k of nt.fanout.instances.keys) keys.add(k);
        }
        const missing = parsed.selector.conditions.find((c) => !keys.has(c.path[0]!));
        if (missing) {
          const near = nearest(missing.key, keys);
          const have = keys.size > 0 ? `they have ${[...keys].join(', ')}` : 'it is not fanned out';
          return `the instances of '${path}' have no '${missing.key}'; ${have}${near ? `; did you mean '${near}'?` : ''}`;
        }
      }
      return `no instance of '${path}' matches [${selector}]`;
    }
    // Paths from the root, and node names (a bare name selects the node of that name anywhere).
    const near = nearest(path, new Set(graph.nodes.flatMap((nt) => [...prefixes(nt.node.id), nt.node.name])));
    return `no task matches '${p}'${near ? `; did you mean '${near}'?` : ''}`;
  };
  /** A pattern's test; a bare name that is no path from the root means the node(s) of that name. */
  const find = (p: string): ((t: TaskSpec) => boolean) | string => {
    const m = matcher([p]);
    if (tasks.some(m)) return m;
    const { path, selector } = splitSelector(p);
    if (/^[^.*?[\]{}]+$/.test(path)) {
      const byName = matcher([`*.${path}${selector !== undefined ? `[${selector}]` : ''}`]);
      if (tasks.some(byName)) return byName;
    }
    // A node with no tasks (skip_complete left out every item as done) is selected, with nothing in it.
    const ofNode = matcher([path]);
    if (
      selector === undefined &&
      graph.nodes.some((nt) => nt.count === 0 && (ofNode(nt.node.id) || nt.node.name === path))
    )
      return none;
    return unknown(p);
  };

  let selected = new Uint8Array(n).fill(1);
  if (sel.only && sel.only.length > 0) {
    selected = new Uint8Array(n);
    for (const p of sel.only) {
      const m = find(p);
      if (typeof m === 'string') return { ok: false, message: m };
      for (let v = 0; v < n; v++) if (m(tasks[v]!)) selected[v] = 1;
    }
  }
  if (sel.index) {
    const { from, to } = sel.index;
    let hit = false;
    for (let v = 0; v < n; v++) {
      const i = tasks[v]!.index;
      if (i === undefined) continue;
      if (i < from || i > to) selected[v] = 0;
      else if (selected[v]) hit = true;
    }
    if (!hit) {
      const shown = from === to ? `${from}` : `${from}..${to === Number.MAX_SAFE_INTEGER ? '' : to}`;
      return { ok: false, message: `no selected fanned-out task is at --index ${shown}` };
    }
  }
  const reach = (seed: string, forward: boolean): Uint8Array | string => {
    const m = find(seed);
    if (typeof m === 'string') return m;
    const mark = new Uint8Array(n);
    const stack: number[] = [];
    for (let v = 0; v < n; v++) {
      if (m(tasks[v]!)) {
        mark[v] = 1;
        stack.push(v);
      }
    }
    if (stack.length === 0 && m !== none) return unknown(seed);
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const w of forward ? dag.successors(v) : dag.predecessors(v)) {
        if (!mark[w]) {
          mark[w] = 1;
          stack.push(w);
        }
      }
    }
    return mark;
  };
  for (const [seed, forward] of [
    [sel.from, true],
    [sel.until, false],
  ] as const) {
    if (!seed) continue;
    const mark = reach(seed, forward);
    if (typeof mark === 'string') return { ok: false, message: mark };
    for (let v = 0; v < n; v++) selected[v] = selected[v]! & mark[v]!;
  }
  let forced: (task: TaskSpec) => boolean = () => false;
  if (sel.force === true) forced = () => true;
  else if (Array.isArray(sel.force) && sel.force.length > 0) {
    const tests: ((t: TaskSpec) => boolean)[] = [];
    for (const p of sel.force) {
      const m = find(p);
      if (typeof m === 'string') return { ok: false, message: m };
      tests.push(m);
    }
    forced = (t) => tests.some((m) => m(t));
  }

  const action = new Uint8Array(n);
  const reason: (RunReason | undefined)[] = new Array(n).fill(undefined);
  const upToDate = new Uint8Array(n);
  for (const v of order) {
    const t = tasks[v]!;
    const rec = store.tasks.get(t.id);
    let why: RunReason | undefined;
    // --force forces the selection only: an upstream outside it that is done counts as done.
    if (selected[v] && forced(t)) why = 'forced';
    else if (!rec) why = 'new';
    else if (rec.state !== 'succeeded') why = rec.state === 'failed' ? 'failed' : 'incomplete';
    else if (rec.okHash !== t.hash) why = 'changed';
    else if (t.outputs.length > 0 && missingOutputs(t.workdir, t.outputs).length > 0) why = 'outputs missing';
    else {
      for (const p of dag.predecessors(v)) {
        const up = store.tasks.get(tasks[p]!.id);
        const upRuns = action[p] === Action.Run || (action[p] === Action.Excluded && !upToDate[p]);
        if (upRuns || newerSuccess(up, rec)) {
          why = 'upstream changed';
          break;
        }
      }
    }
    if (why === undefined) {
      action[v] = selected[v] ? Action.Done : Action.Excluded;
      upToDate[v] = 1;
    } else if (!selected[v] || (sel.retryFailed && !(rec && rec.state !== 'succeeded'))) {
      // --retry-failed runs only what has an attempt that did not succeed.
      action[v] = Action.Excluded;
    } else {
      action[v] = Action.Run;
      reason[v] = why;
    }
  }
  return { ok: true, plan: { action, reason, upToDate } };
}

/**
 * Whether an upstream's last success is newer than the one its dependent ran against. Runs
 * order it, not the order in which a head happened to record the two: within one run a
 * dependent only ever starts after its upstream's successful attempt (the engine or the
 * scheduler holds it), however the results were then collected. Records from before runs
 * were kept fall back to the recording order.
 */
function newerSuccess(up: TaskRecord | undefined, rec: TaskRecord): boolean {
  if (!up?.okHash) return false;
  if (up.okRun !== undefined && rec.okRun !== undefined) return runNumber(up.okRun) > runNumber(rec.okRun);
  return (up.okSeq ?? 0) > (rec.okSeq ?? 0);
}

function prefixes(id: string): string[] {
  const parts = id.replace(/\[.*$/, '').split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}
