import { readFileSync, statSync } from 'node:fs';
import { nearest } from '../../config/suggest.js';
import { type RunStatus, TASK_STATES, type TaskState } from '../../exec/events.js';
import type { Loaded } from '../../model/load.js';
import { displayCommand } from '../../model/shell.js';
import type { TaskSpec } from '../../model/tasks.js';
import type { RunHeader } from '../../state/journal.js';
import { sameCampaign } from '../../state/layout.js';
import type { StatePaths } from '../../state/paths.js';
import { StateStore, type TaskRecord } from '../../state/store.js';
import { type Attempt, foldJournals, type JournalFold, type Skip, wallOf } from './attempts.js';

/** What the report shows of a task: its state, or `uptodate` for one the run found up to date. */
export type ReportState = TaskState | 'uptodate';

/** The request an attempt ran with: recorded on its `q` record, else the task's declared one. */
export interface Request {
  readonly cores?: number;
  readonly memoryMiB?: number;
  readonly gpus?: number;
  /** Declared runtime (estimate), seconds. */
  readonly runtime?: number;
  /** Wall-clock limit, seconds. */
  readonly limit?: number;
  readonly partition?: string;
  /** Whether the journal recorded it (escalation applied) rather than the campaign declaring it. */
  readonly recorded: boolean;
}

/** One attempt, with where it belongs and what it asked for. */
export interface ReportAttempt extends Readonly<Attempt> {
  readonly node: string;
  readonly group: string;
  readonly instance?: string;
  /** The report's index of its task (`ReportData.tasks`). */
  readonly taskIndex: number;
  readonly req: Request;
  /** Its stderr log. */
  readonly err: string;
  readonly host?: string;
}

export interface ReportTask {
  readonly id: string;
  readonly node: string;
  readonly group: string;
  readonly instance?: string;
  readonly state: ReportState;
  /** Its attempts in the runs the report covers, in order. */
  readonly attempts: readonly ReportAttempt[];
  readonly skip?: Skip;
  /** The command as a person would type it, if the campaign still lists the task. */
  readonly command?: string;
  /** Indices (in `ReportData.tasks`) of the tasks it depends on. */
  readonly preds: readonly number[];
  /** Nodes it waits for whose tasks cannot be paired with it (not in the campaign as it loads now). */
  readonly after?: readonly string[];
}

/** A runnable node of the campaign (a subcampaign), in document order. */
export interface ReportNode {
  readonly id: string;
  readonly group: string;
  /** The node ids it depends on. */
  readonly deps: readonly string[];
  /** Indices of its tasks in `ReportData.tasks`. */
  readonly tasks: readonly number[];
}

/** A group of nodes and the runnable nodes below it. */
export interface ReportGroup {
  readonly id: string;
  readonly parent?: string;
  readonly nodes: readonly string[];
}

/** Time used and held of a run's attempts: core-hours and GB-hours, used against requested. */
export interface Usage {
  readonly coreHoursUsed: number;
  readonly coreHoursRequested: number;
  readonly gbHoursUsed: number;
  readonly gbHoursRequested: number;
}

export interface RunInfo {
  readonly id: string;
  readonly campaign: string;
  readonly user?: string;
  readonly host?: string;
  readonly pid?: number;
  readonly argv?: readonly string[];
  readonly scheduler?: string;
  readonly partition?: string;
  readonly start: number;
  readonly end?: number;
  readonly status: RunStatus | 'running';
  readonly counts?: Readonly<Record<TaskState, number>>;
  /** Exit code of `campaign run`, from how the run ended (docs/cli.md); unknown while it runs. */
  readonly exitCode?: number;
  readonly usage: Usage;
  /** Attempts it recorded. */
  readonly attempts: number;
}

/** The report's comparison of its run with the previous one of the campaign. */
export interface Comparison {
  readonly previous: RunInfo;
  /** Tasks that ran again, and why (as far as the journals tell). */
  readonly reruns: readonly { readonly task: string; readonly reason: string }[];
  /** Tasks that ran for the first time. */
  readonly firstTime: number;
  /** Tasks that succeeded in both runs: wall ms and peak KiB, before and now. */
  readonly changes: readonly TaskChange[];
}

export interface TaskChange {
  readonly task: string;
  readonly node: string;
  readonly wallBefore?: number;
  readonly wallNow?: number;
  readonly peakBefore?: number;
  readonly peakNow?: number;
}

/** Everything a report or a trace shows, from the state directory and the campaign's task graph. */
export interface ReportData {
  readonly campaign: string;
  readonly file: string;
  readonly stateDir: string;
  readonly generated: number;
  /** The runs the report covers, oldest first; the last is its run. */
  readonly runs: readonly RunInfo[];
  /** Every run of the campaign, oldest first. */
  readonly history: readonly RunInfo[];
  readonly tasks: readonly ReportTask[];
  /** The attempts of the covered runs, in the order they were handed over. */
  readonly attempts: readonly ReportAttempt[];
  readonly nodes: readonly ReportNode[];
  readonly groups: readonly ReportGroup[];
  readonly comparison?: Comparison;
}

/** Where a report's facts come from: the campaign as it loads now and its state directory. */
export interface ReportSource {
  readonly file: string;
  readonly loaded: Loaded;
  readonly paths: StatePaths;
}

export type ReportDataResult =
  | { readonly ok: true; readonly data: ReportData }
  | { readonly ok: false; readonly code: 'no-runs' | 'unknown-run'; readonly message: string };

// Fields newer heads add to the `run` record; read when present.
type Header = RunHeader & { user?: string; argv?: string[] };

/** Builds the report's model for the latest run, the run given, or every run. */
export function reportData(
  src: ReportSource,
  opts: { run?: string; allRuns?: boolean; now?: number } = {},
): ReportDataResult {
  const store = new StateStore(src.paths);
  const summaries = new Map(store.runs().map((r) => [r.id, r]));
  const ids = store.runIds().filter((id) => {
    const h = store.header(id);
    return h === undefined || sameCampaign(h, src.paths, src.file);
  });
  if (ids.length === 0)
    return { ok: false, code: 'no-runs', message: `no run of ${src.file} is recorded in ${src.paths.root}` };
  let main = ids[ids.length - 1]!;
  if (opts.run !== undefined) {
    const found = findRun(ids, opts.run);
    if (!found) {
      const suffix = (id: string) => id.slice(id.lastIndexOf('_') + 1);
      const close = nearest(opts.run, ids.map(suffix));
      const near = close !== undefined ? ids.find((id) => suffix(id) === close) : undefined;
      return {
        ok: false,
        code: 'unknown-run',
        message: `no run '${opts.run}' of ${src.file}${near ? `; did you mean '${near}'?` : ''} ('campaign runs' lists them)`,
      };
    }
    main = found;
  }
  const fold = foldJournals(src.paths, ids);
  const covered = opts.allRuns ? ids.slice(0, ids.indexOf(main) + 1) : [main];
  const before = (run: string) => new StateStore(src.paths).load({ before: run }).tasks;
  const build = new Builder(src, fold, covered, before(covered[0]!));
  const history = ids.map((id) => build.runInfo(id, summaries.get(id)?.status));
  const runs = covered.map((id) => history[ids.indexOf(id)]!);
  const prevId = ids[ids.indexOf(main) - 1];
  const comparison =
    prevId !== undefined
      ? build.compare(history[ids.indexOf(prevId)]!, main, covered.length === 1 ? build.before : before(main))
      : undefined;
  return {
    ok: true,
    data: {
      campaign: src.loaded.campaign.name,
      file: src.loaded.campaign.file,
      stateDir: src.paths.root,
      generated: opts.now ?? Date.now(),
      runs,
      history,
      tasks: build.tasks,
      attempts: build.attempts,
      nodes: build.nodes,
      groups: build.groups,
      ...(comparison ? { comparison } : {}),
    },
  };
}

/** A run by its id, or by the end of its id (`run002`, `002`) when only one run has it. */
function findRun(ids: readonly string[], want: string): string | undefined {
  if (ids.includes(want)) return want;
  const hits = ids.filter((id) => id.endsWith(want) || id.endsWith(`run${want.padStart(3, '0')}`));
  return hits.length === 1 ? hits[0] : undefined;
}

/** Joins the journals' attempts with the campaign's tasks, nodes and groups. */
class Builder {
  readonly tasks: ReportTask[] = [];
  readonly attempts: ReportAttempt[] = [];
  readonly nodes: ReportNode[];
  readonly groups: ReportGroup[];
  private readonly index = new Map<string, number>();
  private readonly byRun = new Map<string, Attempt[]>();

  constructor(
    private readonly src: ReportSource,
    private readonly fold: JournalFold,
    covered: readonly string[],
    readonly before: ReadonlyMap<string, TaskRecord>,
  ) {
    for (const a of fold.attempts) {
      for (const r of a.runs) {
        const list = this.byRun.get(r);
        if (list) list.push(a);
        else this.byRun.set(r, [a]);
      }
    }
    const { graph, campaign } = src.loaded;
    const graphTasks = src.loaded.tasks;
    // The tasks of the covered runs: their selections, and anything their journals name.
    const ids = new Set<string>();
    for (const run of covered) for (const id of this.header(run)?.sel ?? []) ids.add(id);
    const mine = new Set(covered);
    const attemptsOf = new Map<string, Attempt[]>();
    for (const a of fold.attempts) {
      if (!a.runs.some((r) => mine.has(r))) continue;
      ids.add(a.task);
      const list = attemptsOf.get(a.task);
      if (list) list.push(a);
      else attemptsOf.set(a.task, [a]);
    }
    const skipOf = new Map<string, Skip>();
    for (const s of fold.skips)
      if (mine.has(s.run)) {
        ids.add(s.task);
        skipOf.set(s.task, s);
      }
    const cancelledOf = new Map<string, number>();
    for (const c of fold.cancelled)
      if (mine.has(c.run)) {
        ids.add(c.task);
        cancelledOf.set(c.task, c.t);
      }
    const deps = new Map<string, Set<string>>();
    for (const e of graph.edges) {
      const set = deps.get(e.to) ?? new Set<string>();
      set.add(e.from);
      deps.set(e.to, set);
    }
    const inGraph = new Map(graphTasks.nodes.map((n) => [n.node.id, n.count]));
    const order = (id: string) => graphTasks.indexOf.get(id) ?? Number.MAX_SAFE_INTEGER;
    const sorted = [...ids].sort((a, b) => order(a) - order(b));
    for (const [i, id] of sorted.entries()) this.index.set(id, i);
    for (const id of sorted) {
      const v = graphTasks.indexOf.get(id);
      const spec = v !== undefined ? graphTasks.tasks[v] : undefined;
      const node = spec?.node.id ?? nodeOf(id);
      const group = spec ? (spec.node.parent ?? '') : (campaign.nodes.get(node)?.parent ?? '');
      const instance = spec ? spec.instance : instanceOf(id);
      const taskIndex = this.tasks.length;
      const own = (attemptsOf.get(id) ?? []).map((a) =>
        this.attemptRow(a, { node, group, instance, taskIndex, spec }),
      );
      this.attempts.push(...own);
      const preds: number[] = [];
      const covered = new Set<string>();
      if (v !== undefined) {
        for (const p of graphTasks.dag.predecessors(v)) {
          covered.add(graphTasks.tasks[p]!.node.id);
          const pi = this.index.get(graphTasks.tasks[p]!.id);
          if (pi !== undefined && !preds.includes(pi)) preds.push(pi);
        }
      }
      // Dependencies the task graph cannot pair: the task, or the node it waits for, has no
      // task in the campaign as it loads now (`skip_complete` left them out as done).
      const after = [...(deps.get(node) ?? [])].filter(
        (d) => !covered.has(d) && (v === undefined || (inGraph.get(d) ?? 0) === 0),
      );
      const skip = skipOf.get(id);
      const state = stateOf(own, skip, cancelledOf.get(id), before.get(id)?.state);
      this.tasks.push({
        id,
        node,
        group,
        ...(instance !== undefined ? { instance } : {}),
        state,
        attempts: own,
        ...(skip ? { skip } : {}),
        ...(spec ? { command: displayCommand(spec.command) } : {}),
        preds,
        ...(after.length > 0 ? { after } : {}),
      });
    }
    this.attempts.sort((a, b) => (a.submit ?? a.start ?? 0) - (b.submit ?? b.start ?? 0));
    const byNode = new Map<string, number[]>();
    this.tasks.forEach((t, i) => {
      const list = byNode.get(t.node);
      if (list) list.push(i);
      else byNode.set(t.node, [i]);
    });
    this.nodes = graph.tasks.map((n) => ({
      id: n.id,
      group: n.parent ?? '',
      deps: [...(deps.get(n.id) ?? [])],
      tasks: byNode.get(n.id) ?? [],
    }));
    // Nodes the campaign no longer has, but whose tasks the journals recorded.
    for (const [id, list] of byNode)
      if (!graph.indexOf.has(id))
        this.nodes.push({ id, group: this.tasks[list[0]!]!.group, deps: [], tasks: list });
    const under = new Map<string, string[]>();
    for (const n of this.nodes) {
      for (let g = n.group; g !== ''; g = campaign.nodes.get(g)?.parent ?? '') {
        const list = under.get(g) ?? [];
        list.push(n.id);
        under.set(g, list);
        if (!campaign.nodes.has(g)) break;
      }
    }
    this.groups = [...campaign.nodes.values()]
      .filter((n) => n.kind === 'group' && under.has(n.id))
      .map((n) => ({ id: n.id, ...(n.parent ? { parent: n.parent } : {}), nodes: under.get(n.id)! }));
  }

  header(run: string): Header | undefined {
    return this.fold.headers.get(run) as Header | undefined;
  }

  private attemptRow(
    a: Attempt,
    at: {
      node: string;
      group: string;
      instance: string | undefined;
      taskIndex: number;
      spec: TaskSpec | undefined;
    },
  ): ReportAttempt {
    const head = this.header(a.run);
    const local = this.isLocal(a.run);
    const host = a.host ?? (local ? head?.host : undefined);
    // The attempt itself becomes the report's row: 10,000s of them are not copied.
    return Object.assign(a, {
      node: at.node,
      group: at.group,
      ...(at.instance !== undefined ? { instance: at.instance } : {}),
      taskIndex: at.taskIndex,
      req: this.requestOf(a, at.spec),
      err: this.src.paths.attempt(a.run, a.task, a.attempt).err,
      ...(host !== undefined ? { host } : {}),
    });
  }

  private isLocal(run: string): boolean {
    return (this.header(run)?.scheduler ?? this.src.loaded.campaign.scheduler.type) === 'local';
  }

  private readonly declared = [new WeakMap<object, Request>(), new WeakMap<object, Request>()];

  /** What an attempt asked for: recorded, else its node's declared request (one object per node). */
  private requestOf(a: Attempt, spec: TaskSpec | undefined): Request {
    const local = this.isLocal(a.run);
    if (a.request === undefined && spec) {
      const cache = this.declared[local ? 0 : 1]!;
      let r = cache.get(spec.node);
      if (!r) {
        r = requestOf(a, spec, local);
        cache.set(spec.node, r);
      }
      return r;
    }
    return requestOf(a, spec, local);
  }

  private specOf(task: string): TaskSpec | undefined {
    const v = this.src.loaded.tasks.indexOf.get(task);
    return v !== undefined ? this.src.loaded.tasks.tasks[v] : undefined;
  }

  runInfo(id: string, status: RunStatus | 'running' | undefined): RunInfo {
    const head = this.header(id);
    const end = this.fold.ends.get(id);
    const own = (this.byRun.get(id) ?? []).filter((a) => a.run === id);
    const st = status ?? (end ? end.status : 'interrupted');
    const partition = head?.sched?.partition ?? head?.sched?.queue;
    const user = head?.user ?? ownerOf(this.src.paths.journal(id));
    return {
      id,
      campaign: head?.campaign ?? this.src.loaded.campaign.name,
      ...(user !== undefined ? { user } : {}),
      ...(head ? { host: head.host, pid: head.pid, scheduler: head.scheduler } : {}),
      ...(head?.argv ? { argv: head.argv } : {}),
      ...(partition !== undefined ? { partition } : {}),
      start: head?.t ?? this.fold.last.get(id) ?? 0,
      ...(end
        ? { end: end.t }
        : st !== 'running' && this.fold.last.has(id)
          ? { end: this.fold.last.get(id)! }
          : {}),
      status: st,
      ...(end ? { counts: end.counts } : {}),
      ...(EXIT[st] !== undefined ? { exitCode: EXIT[st] } : {}),
      // Attempts count in the run that handed them over, where their time was spent.
      usage: usageOf(own, (a) =>
        'req' in a ? (a as ReportAttempt).req : this.requestOf(a, this.specOf(a.task)),
      ),
      attempts: own.length,
    };
  }

  /** The report's run against the one before it: what ran again and why, what changed. */
  compare(previous: RunInfo, main: string, before: ReadonlyMap<string, TaskRecord>): Comparison {
    const forced = this.header(main)?.argv?.includes('--force') ?? false;
    const inMain = new Map<string, Attempt[]>();
    for (const a of this.byRun.get(main) ?? []) {
      const list = inMain.get(a.task);
      if (list) list.push(a);
      else inMain.set(a.task, [a]);
    }
    const prevOk = new Map<string, Attempt>();
    for (const a of this.byRun.get(previous.id) ?? []) if (a.state === 'succeeded') prevOk.set(a.task, a);
    const reruns: { task: string; reason: string }[] = [];
    const changes: TaskChange[] = [];
    let firstTime = 0;
    for (const t of this.tasks) {
      const mine = inMain.get(t.id);
      if (!mine) continue;
      const rec = before.get(t.id);
      if (!rec || rec.attempt === 0) firstTime++;
      else reruns.push({ task: t.id, reason: this.reason(t, rec, mine, inMain, forced) });
      const now = mine.findLast((a) => a.state === 'succeeded');
      const then = prevOk.get(t.id);
      if (now && then) {
        const wn = wallOf(now);
        const wb = wallOf(then);
        changes.push({
          task: t.id,
          node: t.node,
          ...(wb !== undefined ? { wallBefore: wb } : {}),
          ...(wn !== undefined ? { wallNow: wn } : {}),
          ...(then.peakKiB !== undefined ? { peakBefore: then.peakKiB } : {}),
          ...(now.peakKiB !== undefined ? { peakNow: now.peakKiB } : {}),
        });
      }
    }
    return { previous, reruns, firstTime, changes };
  }

  /** Why a task that had run before ran again, from its recorded state before this run. */
  private reason(
    t: ReportTask,
    rec: TaskRecord,
    mine: readonly Attempt[],
    inMain: ReadonlyMap<string, readonly Attempt[]>,
    forced: boolean,
  ): string {
    switch (rec.state) {
      case 'failed':
      case 'pending':
        return `its last attempt failed (${[rec.failure, rec.message].filter(Boolean).join(': ')})`;
      case 'skipped':
        return `it was skipped (${rec.message ?? `upstream ${rec.upstream} failed`})`;
      case 'cancelled':
        return 'it was cancelled';
      case 'queued':
      case 'running':
        return 'its last attempt recorded no end';
      case 'succeeded':
        break;
    }
    const hash = mine.find((a) => a.hash !== undefined)?.hash ?? this.specHash(t.id);
    if (hash !== undefined && rec.okHash !== undefined && hash !== rec.okHash)
      return 'its definition changed';
    let first = Number.POSITIVE_INFINITY;
    for (const a of mine) first = Math.min(first, a.submit ?? a.start ?? first);
    for (const p of t.preds) {
      const up = this.tasks[p]!;
      if ((inMain.get(up.id) ?? []).some((a) => a.state === 'succeeded' && (a.end ?? 0) <= first))
        return `upstream ${up.id} ran again`;
    }
    return forced ? 'forced (--force)' : 'forced, or its outputs were missing';
  }

  private specHash(task: string): string | undefined {
    const v = this.src.loaded.tasks.indexOf.get(task);
    return v !== undefined ? this.src.loaded.tasks.tasks[v]!.hash : undefined;
  }
}

const EXIT: Partial<Record<RunStatus | 'running', number>> = {
  succeeded: 0,
  detached: 0,
  failed: 1,
  cancelled: 130,
};

/** A task's state at the end of the covered runs, from its last record there. */
function stateOf(
  attempts: readonly ReportAttempt[],
  skip: Skip | undefined,
  cancelledAt: number | undefined,
  before: TaskState | undefined,
): ReportState {
  const last = attempts[attempts.length - 1];
  const lastT = last ? (last.end ?? last.start ?? last.submit ?? 0) : Number.NEGATIVE_INFINITY;
  if (skip && skip.t >= lastT) return 'skipped';
  if (cancelledAt !== undefined && cancelledAt >= lastT) return 'cancelled';
  if (!last) return before === 'succeeded' ? 'uptodate' : 'pending';
  if (last.state === 'failed' && last.retryIn !== undefined) return 'pending';
  return last.state;
}

/** The recorded request of an attempt, field by field, else what its task declares. */
function requestOf(a: Attempt, spec: TaskSpec | undefined, local: boolean): Request {
  const rq = a.request ?? {};
  const r = spec?.resources;
  const out: { -readonly [K in keyof Request]: Request[K] } = { recorded: a.request !== undefined };
  const set = <K extends keyof Request>(k: K, v: Request[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('cores', rq.c ?? r?.cores);
  set('memoryMiB', rq.m ?? r?.memory);
  set('gpus', rq.g ?? r?.gpus);
  set('runtime', rq.rt ?? r?.runtime);
  set('limit', rq.l ?? spec?.limit);
  set(
    'partition',
    rq.p ?? (local ? undefined : (spec?.node.scheduler.partition ?? spec?.node.scheduler.queue)),
  );
  return out;
}

/**
 * Core-hours: CPU time used against cores x wall time held; GB-hours: peak memory x wall time
 * against requested memory x wall time (attempts with a memory request only).
 */
export function usageOf<A extends Attempt | ReportAttempt>(
  attempts: readonly A[],
  req: (a: A) => Request,
): Usage {
  let coreUsed = 0;
  let coreReq = 0;
  let gbUsed = 0;
  let gbReq = 0;
  for (const a of attempts) {
    const wall = wallOf(a);
    if (wall === undefined) continue;
    const r = req(a);
    const hours = wall / 3_600_000;
    coreReq += (r.cores ?? 1) * hours;
    if (a.cpuMs !== undefined) coreUsed += a.cpuMs / 3_600_000;
    if (r.memoryMiB !== undefined && a.peakKiB !== undefined) {
      gbReq += (r.memoryMiB / 1024) * hours;
      gbUsed += (a.peakKiB / (1024 * 1024)) * hours;
    }
  }
  return {
    coreHoursUsed: coreUsed,
    coreHoursRequested: coreReq,
    gbHoursUsed: gbUsed,
    gbHoursRequested: gbReq,
  };
}

/** Task counts by state, computed (for a run that recorded no end). */
export function countStates(tasks: readonly ReportTask[]): Record<TaskState, number> {
  const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  for (const t of tasks) counts[t.state === 'uptodate' ? 'succeeded' : t.state]++;
  return counts;
}

/** The user owning a file, by name when /etc/passwd knows the uid. */
function ownerOf(path: string): string | undefined {
  let uid: number;
  try {
    uid = statSync(path).uid;
  } catch {
    return undefined;
  }
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[0]) return f[0];
    }
  } catch {
    // no passwd file to ask
  }
  return `uid ${uid}`;
}

/** The node of a task id: `node` of `node[instance]`. */
function nodeOf(id: string): string {
  const b = id.indexOf('[');
  return b < 0 ? id : id.slice(0, b);
}

function instanceOf(id: string): string | undefined {
  const b = id.indexOf('[');
  return b < 0 || !id.endsWith(']') ? undefined : id.slice(b + 1, -1);
}
