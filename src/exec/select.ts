import picomatch from 'picomatch';
import { nearest } from '../config/suggest.js';
import type { TaskGraph } from '../model/tasks.js';
import type { StateStore } from '../state/store.js';
import { missingOutputs } from './outputs.js';

/** Why a task runs. */
export type RunReason = 'new' | 'changed' | 'failed' | 'incomplete' | 'outputs missing' | 'upstream changed' | 'forced';

export const enum Action {
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
}

export type SelectResult = { ok: true; plan: RunPlan } | { ok: false; message: string };

/** Matches task ids against patterns: a node or group path, a glob, or an instance selector. */
export function matcher(patterns: readonly string[]): (id: string) => boolean {
  const tests = patterns.map((p) => {
    const glob = picomatch(p, { dot: true });
    const below = picomatch(`${p}.**`, { dot: true });
    const instances = picomatch(`${p}\\[*\\]`, { dot: true });
    return (id: string) => glob(id) || below(id) || instances(id) || id.startsWith(`${p}.`) || id.startsWith(`${p}[`);
  });
  return (id) => tests.some((t) => t(id));
}

/** Decides what a run does with each task, and why. */
export function planRun(graph: TaskGraph, store: StateStore, sel: Selection): SelectResult {
  const { tasks, dag, order } = graph;
  const n = tasks.length;
  const ids = tasks.map((t) => t.id);
  const unknown = (p: string) => {
    const near = nearest(p.replace(/\[.*$/, ''), new Set(ids.flatMap((id) => prefixes(id))));
    return `no task matches '${p}'${near ? `; did you mean '${near}'?` : ''}`;
  };

  let selected = new Uint8Array(n).fill(1);
  if (sel.only && sel.only.length > 0) {
    selected = new Uint8Array(n);
    for (const p of sel.only) {
      const m = matcher([p]);
      let hit = false;
      for (let v = 0; v < n; v++) {
        if (m(ids[v]!)) {
          selected[v] = 1;
          hit = true;
        }
      }
      if (!hit) return { ok: false, message: unknown(p) };
    }
  }
  const reach = (seed: string, forward: boolean): Uint8Array | string => {
    const m = matcher([seed]);
    const mark = new Uint8Array(n);
    const stack: number[] = [];
    for (let v = 0; v < n; v++) {
      if (m(ids[v]!)) {
        mark[v] = 1;
        stack.push(v);
      }
    }
    if (stack.length === 0) return unknown(seed);
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
  let forced: (id: string) => boolean = () => false;
  if (sel.force === true) forced = () => true;
  else if (Array.isArray(sel.force) && sel.force.length > 0) {
    for (const p of sel.force) if (!ids.some((id) => matcher([p])(id))) return { ok: false, message: unknown(p) };
    forced = matcher(sel.force);
  }

  const action = new Uint8Array(n);
  const reason: (RunReason | undefined)[] = new Array(n).fill(undefined);
  const upToDate = new Uint8Array(n);
  for (const v of order) {
    const t = tasks[v]!;
    const rec = store.tasks.get(t.id);
    let why: RunReason | undefined;
    if (forced(t.id)) why = 'forced';
    else if (!rec) why = 'new';
    else if (rec.state !== 'succeeded') why = rec.state === 'failed' ? 'failed' : 'incomplete';
    else if (rec.okHash !== t.hash) why = 'changed';
    else if (t.outputs.length > 0 && missingOutputs(t.workdir, t.outputs).length > 0) why = 'outputs missing';
    else {
      for (const p of dag.predecessors(v)) {
        const up = store.tasks.get(tasks[p]!.id);
        const upRuns = action[p] === Action.Run || (action[p] === Action.Excluded && !upToDate[p]);
        if (upRuns || (up?.okSeq ?? 0) > (rec.okSeq ?? 0)) {
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

function prefixes(id: string): string[] {
  const parts = id.replace(/\[.*$/, '').split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}
