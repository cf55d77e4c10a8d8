import type {
  AttemptRequest,
  EngineEvent,
  Outcome,
  Placement,
  RunStatus,
  TaskEvent,
  TaskInfo,
  TaskState,
} from '../exec/events.js';
import type { CampaignScheduler } from '../model/campaign.js';

/**
 * The journal's records and the two directions between them and the engine's events: the
 * head encodes each event it records, a watcher (and the tests) decode them back. Both live
 * here so that every field written is a field read. Keys are short because a campaign of
 * 10,000 tasks writes tens of thousands of records; the format is documented in docs/state.md.
 */

/** What an attempt asked for, as its `q` record keeps it: cores, MiB, GPUs, runtime s, limit s, partition. */
export interface RecordedRequest {
  readonly c?: number;
  readonly m?: number;
  readonly g?: number;
  readonly rt?: number;
  readonly l?: number;
  readonly p?: string;
}

/** How an attempt was placed: `pid` (a process on host `h`) or `job` (a batch job id, `_index` for an array task). */
export type PlacementKind = 'pid' | 'job';

export type JournalRecord =
  | {
      k: 'run';
      t: number;
      run: string;
      pid: number;
      host: string;
      /** Who started the run, and the command line (`campaign run …`). */
      user?: string;
      argv?: string[];
      /** Why it was run (`--reason`), for the audit history. */
      reason?: string;
      /** The campaign file (absolute), and relative to the state directory: its identity. */
      file: string;
      fid?: string;
      campaign: string;
      /** The adapter's name, and the scheduler settings a later head rebuilds it from. */
      scheduler: string;
      sched?: CampaignScheduler;
      tasks: number;
      /** The run's tasks (its selection): what a head that picks the run up continues. */
      sel?: string[];
    }
  /**
   * Handed to the scheduler (written before the hand-over, so a crash cannot lose it); once
   * accepted, again with `j`, its job id. `rq`: the request it was handed over with.
   */
  | {
      k: 'q';
      t: number;
      id: string;
      a: number;
      j?: string;
      ix?: number;
      pl?: PlacementKind;
      h?: string;
      rq?: RecordedRequest;
      r0?: string;
    }
  /** Running: `j` is the pid or job id (`pl` says which), `h` the host, `st` the start time; `r0` the run that started it. */
  | {
      k: 's';
      t: number;
      id: string;
      a: number;
      j: string;
      pl?: PlacementKind;
      h?: string;
      st?: number;
      r0?: string;
    }
  /** Succeeded: definition hash and success sequence number; wall, cpu ms, peak KiB. */
  | {
      k: 'ok';
      t: number;
      id: string;
      a: number;
      h: string;
      n: number;
      x?: number;
      w?: number;
      c?: number;
      m?: number;
      /** The scheduler's own word for how the job ended. */
      ss?: string;
      r0?: string;
    }
  | {
      k: 'f';
      t: number;
      id: string;
      a: number;
      r: string;
      msg: string;
      x?: number;
      sg?: string;
      w?: number;
      c?: number;
      m?: number;
      ss?: string;
      /** Seconds until the retry, when there is one, and how its request grows. */
      re?: number;
      es?: string;
      r0?: string;
    }
  | { k: 'sk'; t: number; id: string; up: string; msg: string }
  | { k: 'c'; t: number; id: string; a: number; r0?: string }
  | { k: 'end'; t: number; status: RunStatus; counts: Record<TaskState, number> };

/** The `run` record that starts a run's journal. */
export type RunHeader = Extract<JournalRecord, { k: 'run' }>;

/** What the `run` record says beyond the `started` event: the head and the facts a later head goes by. */
export interface RunRecordFacts {
  readonly pid: number;
  readonly host: string;
  readonly user?: string;
  readonly argv?: readonly string[];
  readonly reason?: string;
  readonly file: string;
  readonly fid: string;
  readonly sched: CampaignScheduler;
}

/** What a success record adds to its event: the task's definition hash and the success number. */
export interface SuccessFacts {
  readonly hash: string;
  readonly seq: number;
}

/** The `run` record of a run's `started` event. */
export function encodeRun(
  e: Extract<EngineEvent, { type: 'run'; reason: 'started' }>,
  f: RunRecordFacts,
): RunHeader {
  return {
    k: 'run',
    t: e.t,
    run: e.runId,
    pid: f.pid,
    host: f.host,
    ...(f.user !== undefined ? { user: f.user } : {}),
    ...(f.argv !== undefined ? { argv: [...f.argv] } : {}),
    ...(f.reason !== undefined ? { reason: f.reason } : {}),
    file: f.file,
    fid: f.fid,
    campaign: e.campaign,
    scheduler: e.scheduler,
    sched: f.sched,
    tasks: e.tasks.length,
    sel: e.tasks.map((t) => t.id),
  };
}

/** The `end` record of a run's `finished` event. */
export function encodeEnd(e: Extract<EngineEvent, { type: 'run'; reason: 'finished' }>): JournalRecord {
  return { k: 'end', t: e.t, status: e.status, counts: { ...e.counts } };
}

/** The record of a task event; `ok` asks for the success facts of a success. */
export function encodeTask(e: TaskEvent, ok: () => SuccessFacts): JournalRecord {
  const r0 = 'fromRun' in e && e.fromRun ? { r0: e.fromRun } : {};
  switch (e.reason) {
    case 'queued':
      return {
        k: 'q',
        t: e.t,
        id: e.id,
        a: e.attempt,
        ...(e.where ? placed(e.where) : {}),
        ...(e.request ? { rq: encodeRequest(e.request) } : {}),
        ...r0,
      };
    case 'started':
      return { k: 's', t: e.t, id: e.id, a: e.attempt, j: '', ...placed(e.where), st: e.t, ...r0 };
    case 'succeeded': {
      const f = ok();
      const { exitCode, ...rest } = e.outcome;
      return {
        k: 'ok',
        t: e.t,
        id: e.id,
        a: e.attempt,
        h: f.hash,
        n: f.seq,
        ...(exitCode !== undefined && exitCode !== 0 ? { x: exitCode } : {}),
        ...metrics(rest),
        ...r0,
      };
    }
    case 'failed':
      return {
        k: 'f',
        t: e.t,
        id: e.id,
        a: e.attempt,
        r: e.failure,
        msg: e.message,
        ...(e.outcome.exitCode !== undefined ? { x: e.outcome.exitCode } : {}),
        ...(e.outcome.signal ? { sg: e.outcome.signal } : {}),
        ...metrics(e.outcome),
        ...(e.retryIn !== undefined ? { re: e.retryIn } : {}),
        ...(e.escalation !== undefined ? { es: e.escalation } : {}),
        ...r0,
      };
    case 'skipped':
      return { k: 'sk', t: e.t, id: e.id, up: e.upstream, msg: e.message };
    case 'cancelled':
      return { k: 'c', t: e.t, id: e.id, a: e.attempt };
  }
}

/** `j`, `pl` and `h` of a placement: a pid or a job id, and the host. */
function placed(w: Placement): { j?: string; pl?: PlacementKind; h?: string } {
  const where =
    w.pid !== undefined
      ? { j: String(w.pid), pl: 'pid' as const }
      : w.jobId
        ? { j: w.jobId, pl: 'job' as const }
        : {};
  return { ...where, ...(w.host ? { h: w.host } : {}) };
}

function encodeRequest(r: AttemptRequest): RecordedRequest {
  return {
    c: r.cores,
    ...(r.memory !== undefined ? { m: r.memory } : {}),
    ...(r.gpus ? { g: r.gpus } : {}),
    ...(r.runtime !== undefined ? { rt: r.runtime } : {}),
    ...(r.limit !== undefined ? { l: r.limit } : {}),
    ...(r.partition !== undefined ? { p: r.partition } : {}),
  };
}

/** The request a `q` record keeps, as the engine's events carry it. */
export function decodeRequest(rq: RecordedRequest): AttemptRequest {
  return {
    cores: rq.c ?? 1,
    ...(rq.m !== undefined ? { memory: rq.m } : {}),
    ...(rq.g !== undefined ? { gpus: rq.g } : {}),
    ...(rq.rt !== undefined ? { runtime: rq.rt } : {}),
    ...(rq.l !== undefined ? { limit: rq.l } : {}),
    ...(rq.p !== undefined ? { partition: rq.p } : {}),
  };
}

function metrics(o: Omit<Outcome, 'exitCode'>): { w?: number; c?: number; m?: number; ss?: string } {
  return {
    ...(o.wallMs !== undefined ? { w: o.wallMs } : {}),
    ...(o.cpuMs !== undefined ? { c: o.cpuMs } : {}),
    ...(o.maxRssKiB !== undefined ? { m: o.maxRssKiB } : {}),
    ...(o.schedulerState !== undefined ? { ss: o.schedulerState } : {}),
  };
}

function outcomeOf(rec: { w?: number; c?: number; m?: number; ss?: string }): Outcome {
  return {
    ...(rec.w !== undefined ? { wallMs: rec.w } : {}),
    ...(rec.c !== undefined ? { cpuMs: rec.c } : {}),
    ...(rec.m !== undefined ? { maxRssKiB: rec.m } : {}),
    ...(rec.ss !== undefined ? { schedulerState: rec.ss } : {}),
  };
}

/** What decoding needs beyond the records: the run, where its attempts keep their logs, its tasks. */
export interface DecodeContext {
  /** The run whose journal is read. */
  readonly runId: string;
  readonly stateDir: string;
  /** The scheduler's name when the `run` record lacks it. */
  readonly scheduler: string;
  /** The logs of attempt `a` of task `id`, started by run `run`. */
  logs(run: string, id: string, a: number): { readonly out: string; readonly err: string };
  /** The run's tasks as a view learns them, from its selection (`sel`, absent: every task). */
  tasks(sel: readonly string[] | undefined): readonly TaskInfo[];
}

/**
 * Reads one journal's records back into the events they record, in order. It remembers which
 * attempts were handed over as batch jobs: records of older heads say pid or job id only by
 * whether the attempt's `q` record named a job.
 */
export class JournalDecoder {
  private readonly jobs = new Set<string>();

  constructor(private readonly ctx: DecodeContext) {}

  decode(rec: JournalRecord): EngineEvent | undefined {
    const { ctx } = this;
    const from = (r0: string | undefined) => (r0 ? { fromRun: r0 } : {});
    switch (rec.k) {
      case 'run':
        return {
          type: 'run',
          reason: 'started',
          t: rec.t,
          runId: rec.run,
          campaign: rec.campaign,
          scheduler: rec.scheduler || ctx.scheduler,
          stateDir: ctx.stateDir,
          tasks: ctx.tasks(rec.sel),
        };
      case 'q': {
        if (rec.j && rec.pl !== 'pid') this.jobs.add(`${rec.id}\u0000${rec.a}`);
        const where = rec.j !== undefined || rec.h !== undefined ? placementOf(rec, 'job') : undefined;
        return {
          type: 'task',
          reason: 'queued',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          ...(where ? { where } : {}),
          ...(rec.rq ? { request: decodeRequest(rec.rq) } : {}),
          ...from(rec.r0),
        };
      }
      case 's': {
        const job = this.jobs.has(`${rec.id}\u0000${rec.a}`);
        return {
          type: 'task',
          reason: 'started',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          where: placementOf(rec, job ? 'job' : 'pid'),
          logs: ctx.logs(rec.r0 ?? ctx.runId, rec.id, rec.a),
          ...from(rec.r0),
        };
      }
      case 'ok':
        this.jobs.delete(`${rec.id}\u0000${rec.a}`);
        return {
          type: 'task',
          reason: 'succeeded',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          outcome: { exitCode: rec.x ?? 0, ...outcomeOf(rec) },
          ...from(rec.r0),
        };
      case 'f':
        this.jobs.delete(`${rec.id}\u0000${rec.a}`);
        return {
          type: 'task',
          reason: 'failed',
          t: rec.t,
          id: rec.id,
          attempt: rec.a,
          outcome: {
            ...(rec.x !== undefined ? { exitCode: rec.x } : {}),
            ...(rec.sg ? { signal: rec.sg } : {}),
            ...outcomeOf(rec),
          },
          failure: rec.r as Extract<EngineEvent, { reason: 'failed' }>['failure'],
          message: rec.msg,
          ...(rec.re !== undefined ? { retryIn: rec.re } : {}),
          ...(rec.es !== undefined ? { escalation: rec.es } : {}),
          logs: ctx.logs(rec.r0 ?? ctx.runId, rec.id, rec.a),
          ...from(rec.r0),
        };
      case 'sk':
        return { type: 'task', reason: 'skipped', t: rec.t, id: rec.id, upstream: rec.up, message: rec.msg };
      case 'c':
        this.jobs.delete(`${rec.id}\u0000${rec.a}`);
        return { type: 'task', reason: 'cancelled', t: rec.t, id: rec.id, attempt: rec.a };
      case 'end':
        return {
          type: 'run',
          reason: 'finished',
          t: rec.t,
          runId: ctx.runId,
          status: rec.status,
          counts: rec.counts,
        };
    }
  }
}

/** The placement a `q` or `s` record names; `legacy` is the kind when the record does not say. */
export function placementOf(
  rec: { j?: string; pl?: PlacementKind; h?: string },
  legacy: PlacementKind,
): Placement {
  const host = rec.h ? { host: rec.h } : {};
  if (!rec.j) return host;
  const kind = rec.pl ?? legacy;
  const pid = Number(rec.j);
  return kind === 'pid' && Number.isInteger(pid) && pid > 0 ? { pid, ...host } : { jobId: rec.j, ...host };
}
