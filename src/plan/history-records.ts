import type { FailedSample, LastRunTask, NodeHistory, Sample } from './history.js';

/**
 * The few facts of a journal record that history needs (the journal's own shape, read
 * structurally so that the planner does not depend on the state layer): `q` hand-overs with
 * their request `rq`, `ok` successes and `f` failures with wall time `w` (ms) and peak `m` (KiB).
 */
export interface AttemptRecord {
  readonly k: string;
  readonly id?: string;
  readonly a?: number;
  readonly w?: number;
  readonly m?: number;
  readonly r?: string;
  readonly rq?: { readonly m?: number; readonly rt?: number };
}

/** What one node asks for now, against which history is compared. Memory in MiB, runtime in s. */
export interface NodeRequest {
  readonly cores: number;
  readonly memory?: number;
  readonly runtime?: number;
}

/** For nodes whose declared scaling is per unit: each task's units, each node's scaling. */
export interface PerUnitOf {
  /** Items, or GiB of input, of a task by id (undefined: not a per-unit node). */
  readonly unitsOf?: (taskId: string) => number | undefined;
  readonly scalingOf?: (nodeId: string) => NodeHistory['scaling'] | undefined;
}

/**
 * Folds the journals of a campaign's runs, oldest first, into each node's history: its
 * succeeded and failed attempts over all runs, and its tasks in the latest run that ran any of
 * them (with what each asked for, from its hand-over), over which savings are counted.
 * `nodeOf` maps a task id to its node id (undefined: a task the campaign no longer has).
 */
export function nodeHistories(
  runs: Iterable<Iterable<AttemptRecord>>,
  nodeOf: (taskId: string) => string | undefined,
  requestOf: (nodeId: string) => NodeRequest | undefined,
  headroomOf: (nodeId: string) => NodeHistory['headroom'] | undefined = () => undefined,
  perUnit: PerUnitOf = {},
): NodeHistory[] {
  const unitsOf = (id: string) => perUnit.unitsOf?.(id);
  const ok = new Map<string, Sample[]>();
  const failed = new Map<string, FailedSample[]>();
  const last = new Map<string, Map<string, LastRunTask>>();
  for (const records of runs) {
    const thisRun = new Map<string, Map<string, LastRunTask>>();
    for (const rec of records) {
      if (rec.id === undefined) continue;
      const node = nodeOf(rec.id);
      if (node === undefined) continue;
      if (rec.k === 'q') {
        let tasks = thisRun.get(node);
        if (!tasks) {
          tasks = new Map();
          thisRun.set(node, tasks);
        }
        const rq = rec.rq;
        const units = unitsOf(rec.id);
        tasks.set(rec.id, {
          ...(units !== undefined ? { units } : {}),
          ...(rq?.m !== undefined ? { memory: rq.m } : {}),
          ...(rq?.rt !== undefined ? { runtime: rq.rt } : {}),
        });
      } else if (rec.k === 'ok') {
        const units = unitsOf(rec.id);
        push(ok, node, {
          ...(units !== undefined ? { units } : {}),
          ...(rec.m !== undefined ? { maxRssKiB: rec.m } : {}),
          ...(rec.w !== undefined ? { wallMs: rec.w } : {}),
        });
      } else if (
        rec.k === 'f' &&
        rec.r !== undefined &&
        rec.r !== 'cancelled' &&
        rec.r !== 'skipped' &&
        rec.r !== 'submit'
      ) {
        push(failed, node, {
          failure: rec.r,
          ...(rec.m !== undefined ? { maxRssKiB: rec.m } : {}),
          ...(rec.w !== undefined ? { wallMs: rec.w } : {}),
        });
      }
    }
    for (const [node, tasks] of thisRun) last.set(node, tasks);
  }
  const out: NodeHistory[] = [];
  const nodes = new Set([...ok.keys(), ...failed.keys(), ...last.keys()]);
  for (const node of nodes) {
    const request = requestOf(node);
    if (!request) continue;
    const headroom = headroomOf(node);
    const scaling = perUnit.scalingOf?.(node);
    out.push({
      node,
      succeeded: ok.get(node) ?? [],
      ...(failed.has(node) ? { failed: failed.get(node)! } : {}),
      request,
      lastRun: [...(last.get(node)?.values() ?? [])],
      ...(headroom ? { headroom } : {}),
      ...(scaling ? { scaling } : {}),
    });
  }
  return out;
}

function push<T>(m: Map<string, T[]>, key: string, value: T): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}
