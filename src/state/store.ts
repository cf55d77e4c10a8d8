import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { RunStatus, TaskState } from '../exec/events.js';
import { type JournalRecord, type RunHeader, readJournal, readRunHeader } from './journal.js';
import type { PlacementKind } from './journal-codec.js';
import { Lock } from './lock.js';
import type { StatePaths } from './paths.js';

/** What is known of a task across all runs: its latest attempt and its last success. */
export interface TaskRecord {
  state: TaskState;
  /** The run and attempt of the latest record. */
  run: string;
  attempt: number;
  t: number;
  /** Definition hash and sequence number of the last success, kept when later attempts fail. */
  okHash?: string;
  okSeq?: number;
  okRun?: string;
  okAttempt?: number;
  /** Where the attempt runs or ran: pid or job id (`placement` says which) and host. */
  jobId?: string;
  placement?: PlacementKind;
  host?: string;
  /** An unfinished attempt's launcher start time, and the run that started it. */
  startedAt?: number;
  startRun?: string;
  failure?: string;
  message?: string;
  exitCode?: number;
  signal?: string;
  wallMs?: number;
  cpuMs?: number;
  maxRssKiB?: number;
  upstream?: string;
}

export interface RunSummary {
  id: string;
  status: RunStatus | 'running';
  started: number;
  ended?: number;
  pid?: number;
  host?: string;
  /** The scheduler the run was started with. */
  scheduler?: string;
  /** Who started it, and why (`--reason`). */
  user?: string;
  reason?: string;
  counts?: Record<TaskState, number>;
}

interface Snapshot {
  version: 1;
  /** The last run whose journal is folded in. */
  through: string | null;
  seq: number;
  tasks: Record<string, TaskRecord>;
}

/**
 * The recorded state of a campaign: a snapshot (rewritten atomically) plus the journals of the
 * runs after it, replayed in order. Readers (status, watch) never take the lock.
 */
export class StateStore {
  tasks = new Map<string, TaskRecord>();
  seq = 0;
  private through: string | null = null;
  private readonly headers = new Map<string, RunHeader>();

  constructor(readonly paths: StatePaths) {}

  /** The `run` record of a run: its campaign file, scheduler and selection. */
  header(runId: string): RunHeader | undefined {
    let h = this.headers.get(runId);
    if (h === undefined) {
      // Not kept while missing: the run may be starting and not have written it yet.
      h = readRunHeader(this.paths.journal(runId));
      if (h) this.headers.set(runId, h);
    }
    return h;
  }

  /** Tasks whose latest attempt was handed over or started and has no recorded end. */
  unfinished(): [string, TaskRecord][] {
    const out: [string, TaskRecord][] = [];
    for (const [id, rec] of this.tasks) {
      if ((rec.state === 'running' || rec.state === 'queued') && rec.startRun) out.push([id, rec]);
    }
    return out;
  }

  /**
   * Loads the snapshot and replays newer journals. With `before`, the state as it was when
   * that run started (the snapshot is skipped if it already folds that run in).
   */
  load(opts: { before?: string } = {}): this {
    this.tasks = new Map();
    this.seq = 0;
    this.through = null;
    const limit = opts.before !== undefined ? runNumber(opts.before) : Number.POSITIVE_INFINITY;
    try {
      const snap = JSON.parse(readFileSync(this.paths.snapshot, 'utf8')) as Snapshot;
      if (snap.through === null || runNumber(snap.through) < limit) {
        this.tasks = new Map(Object.entries(snap.tasks));
        this.seq = snap.seq;
        this.through = snap.through;
      }
    } catch {
      // no snapshot yet
    }
    for (const run of this.runIds()) {
      if (runNumber(run) >= limit) break;
      if (this.through !== null && runNumber(run) <= runNumber(this.through)) continue;
      for (const rec of readJournal(this.paths.journal(run))) this.apply(run, rec);
    }
    return this;
  }

  /** Run ids in the order they were started. */
  runIds(): string[] {
    try {
      return readdirSync(this.paths.runsDir)
        .filter((d) => /^\d{8}_\d{6}_run\d+$/.test(d))
        .sort((a, b) => runNumber(a) - runNumber(b));
    } catch {
      return [];
    }
  }

  apply(run: string, rec: JournalRecord): void {
    if (rec.k === 'run' || rec.k === 'end') return;
    const prev = this.tasks.get(rec.id);
    const keep = prev
      ? {
          ...(prev.okHash !== undefined
            ? { okHash: prev.okHash, okSeq: prev.okSeq, okRun: prev.okRun, okAttempt: prev.okAttempt }
            : {}),
        }
      : {};
    const attempt = 'a' in rec ? rec.a : (prev?.attempt ?? 0);
    // Where the attempt ran (pid or job id) stays known after it ends, for `status`.
    // Attempt numbers start again in a run that reruns a task: the same attempt is the same
    // number in the run that started it.
    const origin = 'r0' in rec && rec.r0 ? rec.r0 : run;
    const same = prev !== undefined && prev.attempt === attempt && (prev.startRun ?? prev.run) === origin;
    const where = {
      ...(same && prev.jobId
        ? { jobId: prev.jobId, ...(prev.placement ? { placement: prev.placement } : {}) }
        : {}),
      ...(same && prev.host ? { host: prev.host } : {}),
    };
    const base = {
      run: rec.k === 'sk' ? (prev?.run ?? run) : run,
      attempt,
      t: rec.t,
      ...keep,
      ...where,
    };
    switch (rec.k) {
      case 'q':
        this.tasks.set(rec.id, {
          ...base,
          state: 'queued',
          ...(rec.j ? { jobId: rec.j, placement: rec.pl ?? 'job' } : {}),
          ...(rec.h ? { host: rec.h } : {}),
          startRun: rec.r0 ?? run,
        });
        break;
      case 's':
        this.tasks.set(rec.id, {
          ...base,
          state: 'running',
          jobId: rec.j,
          // Older heads did not say: an attempt handed over with a job id is a job, else a pid.
          placement: rec.pl ?? (where.jobId !== undefined ? (where.placement ?? 'job') : 'pid'),
          ...(rec.h ? { host: rec.h } : {}),
          ...(rec.st ? { startedAt: rec.st } : {}),
          startRun: rec.r0 ?? run,
        });
        break;
      case 'ok':
        this.seq = Math.max(this.seq, rec.n);
        this.tasks.set(rec.id, {
          ...base,
          run: rec.r0 ?? run,
          state: 'succeeded',
          okHash: rec.h,
          okSeq: rec.n,
          okRun: rec.r0 ?? run,
          okAttempt: rec.a,
          ...metrics(rec),
        });
        break;
      case 'f':
        this.tasks.set(rec.id, {
          ...base,
          run: rec.r0 ?? run,
          state: rec.re !== undefined ? 'pending' : 'failed',
          failure: rec.r,
          message: rec.msg,
          ...(rec.x !== undefined ? { exitCode: rec.x } : {}),
          ...(rec.sg !== undefined ? { signal: rec.sg } : {}),
          ...metrics(rec),
        });
        break;
      case 'sk':
        this.tasks.set(rec.id, { ...base, state: 'skipped', upstream: rec.up, message: rec.msg });
        break;
      case 'c':
        this.tasks.set(rec.id, { ...base, run: rec.r0 ?? run, state: 'cancelled' });
        break;
    }
  }

  /** Folds everything replayed into a new snapshot, atomically (temp file, fsync, rename). */
  compact(): void {
    const runs = this.runIds();
    const snap: Snapshot = {
      version: 1,
      through: runs[runs.length - 1] ?? this.through,
      seq: this.seq,
      tasks: Object.fromEntries(this.tasks),
    };
    mkdirSync(this.paths.root, { recursive: true });
    writeAtomic(this.paths.snapshot, JSON.stringify(snap));
    this.through = snap.through;
  }

  /** The runs of the campaign, oldest first, with their status (the assembly list). */
  runs(): RunSummary[] {
    const holder = Lock.read(this.paths.lock);
    const live = holder && !Lock.isStale(this.paths.lock, holder) ? holder.runId : undefined;
    return this.runIds().map((id) => {
      const head = this.header(id);
      const end = readTail(this.paths.journal(id)).find((r) => r.k === 'end') as
        | Extract<JournalRecord, { k: 'end' }>
        | undefined;
      return {
        id,
        status: end ? end.status : id === live ? 'running' : 'interrupted',
        started: head?.t ?? 0,
        ...(end ? { ended: end.t, counts: end.counts } : {}),
        ...(head ? { pid: head.pid, host: head.host, scheduler: head.scheduler } : {}),
        ...(head?.user !== undefined ? { user: head.user } : {}),
        ...(head?.reason !== undefined ? { reason: head.reason } : {}),
      };
    });
  }
}

function metrics(rec: { w?: number; c?: number; m?: number }): Partial<TaskRecord> {
  return {
    ...(rec.w !== undefined ? { wallMs: rec.w } : {}),
    ...(rec.c !== undefined ? { cpuMs: rec.c } : {}),
    ...(rec.m !== undefined ? { maxRssKiB: rec.m } : {}),
  };
}

/** The records in the last few kilobytes of a journal: enough for the run's end. */
function readTail(path: string): JournalRecord[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  let text: string;
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 4096);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    text = buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
  const out: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    try {
      if (line.trim()) out.push(JSON.parse(line) as JournalRecord);
    } catch {
      // partial line at the start of the tail window, or a torn last line
    }
  }
  return out;
}

/** Writes a file so that readers see the old or the new content, never a mix, even after a crash. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    try {
      const buf = Buffer.from(text);
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    // A full directory: the old snapshot stands, and no half-written one is left behind.
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw e;
  }
}

/** The next run id in the assembly form `YYYYMMDD_HHMMSS_runNNN`. */
export function nextRunId(store: StateStore, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const runs = store.runIds();
  const last = runs[runs.length - 1];
  const n = last ? runNumber(last) + 1 : 1;
  return `${stamp}_run${p(n, 3)}`;
}

/** The NNN of a run id: runs are ordered by it, whatever the clock did. */
export function runNumber(runId: string): number {
  return Number(runId.slice(runId.lastIndexOf('run') + 3));
}
