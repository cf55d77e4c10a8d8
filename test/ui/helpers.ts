import { EventEmitter } from 'node:events';
import type { EngineEvent, Placement, TaskInfo, TaskState } from '../../src/exec/events.js';
import type { FailureKind } from '../../src/model/campaign.js';

/** Fixed start of every scripted run: 2025-01-01T12:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export function task(
  id: string,
  opts: { group?: string; node?: string; runtime?: number; limit?: number; state?: TaskState } = {},
): TaskInfo {
  return {
    id,
    group: opts.group ?? '',
    node: opts.node ?? id,
    state: opts.state ?? 'pending',
    ...(opts.runtime !== undefined ? { runtime: opts.runtime } : {}),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  };
}

export function fanout(
  node: string,
  n: number,
  opts: { group?: string; runtime?: number; limit?: number } = {},
) {
  return Array.from({ length: n }, (_, i) => task(`${node}[i=${i}]`, { ...opts, node }));
}

export const ev = {
  started: (
    tasks: readonly TaskInfo[],
    t = T0,
    over: Partial<{ campaign: string; runId: string; scheduler: string }> = {},
  ): EngineEvent => ({
    type: 'run',
    reason: 'started',
    t,
    runId: over.runId ?? 'r-0101-1200',
    campaign: over.campaign ?? 'climate-ensemble',
    scheduler: over.scheduler ?? 'slurm',
    stateDir: '/scratch/.campaign',
    tasks,
  }),
  queued: (id: string, t: number, attempt = 1, where?: Placement): EngineEvent => ({
    type: 'task',
    reason: 'queued',
    t,
    id,
    attempt,
    ...(where ? { where } : {}),
  }),
  begin: (id: string, t: number, where: Placement, attempt = 1): EngineEvent => ({
    type: 'task',
    reason: 'started',
    t,
    id,
    attempt,
    where,
    logs: { out: `/logs/${id}.${attempt}.out`, err: `/logs/${id}.${attempt}.err` },
  }),
  ok: (id: string, t: number, wallMs?: number, attempt = 1): EngineEvent => ({
    type: 'task',
    reason: 'succeeded',
    t,
    id,
    attempt,
    outcome: wallMs !== undefined ? { exitCode: 0, wallMs } : { exitCode: 0 },
  }),
  fail: (
    id: string,
    t: number,
    message: string,
    opts: {
      kind?: FailureKind | 'outputs' | 'check' | 'submit';
      attempt?: number;
      retryIn?: number;
      escalation?: string;
    } = {},
  ): EngineEvent => ({
    type: 'task',
    reason: 'failed',
    t,
    id,
    attempt: opts.attempt ?? 1,
    outcome: { exitCode: 1 },
    failure: opts.kind ?? 'failed',
    message,
    ...(opts.retryIn !== undefined ? { retryIn: opts.retryIn } : {}),
    ...(opts.escalation !== undefined ? { escalation: opts.escalation } : {}),
    logs: { out: `/logs/${id}.${opts.attempt ?? 1}.out`, err: `/logs/${id}.${opts.attempt ?? 1}.err` },
  }),
  skipped: (id: string, t: number, upstream: string): EngineEvent => ({
    type: 'task',
    reason: 'skipped',
    t,
    id,
    upstream,
    message: `${upstream} failed`,
  }),
  cancelled: (id: string, t: number): EngineEvent => ({
    type: 'task',
    reason: 'cancelled',
    t,
    id,
    attempt: 1,
  }),
  cancelling: (t: number): EngineEvent => ({ type: 'run', reason: 'cancelling', t, runId: 'r-0101-1200' }),
  finished: (
    t: number,
    status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted',
    counts: Record<TaskState, number>,
  ): EngineEvent => ({ type: 'run', reason: 'finished', t, runId: 'r-0101-1200', status, counts }),
};

/** A stdout that records what Ink writes, sized like a terminal. */
export class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly writes: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write = (s: string): boolean => {
    this.writes.push(s);
    return true;
  };
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
  /** Frames written: writes that put text on the screen (not bare cursor or sync sequences). */
  frames(): number {
    return this.writes.filter((w) => strip(w).trim() !== '').length;
  }
  /** The live area as the terminal shows it after the last frame (escape sequences removed). */
  lastFrame(): string {
    for (let k = this.writes.length - 1; k >= 0; k--) {
      const text = strip(this.writes[k]!);
      if (text.trim() !== '') return text.replace(/\n$/, '');
    }
    return '';
  }
}

export function strip(s: string): string {
  return s.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '').replace(/\u001B\][^\u0007]*\u0007/g, '');
}

/** A stdin in raw mode that the test types into. */
export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  type(s: string): void {
    this.data = s;
    this.emit('readable');
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

/** A 10,000-task campaign: groups, nested groups, fan-outs and single tasks. */
export function climateTasks(): TaskInfo[] {
  return [
    task('prep.fetch', { group: 'prep', runtime: 60, limit: 600 }),
    ...fanout('prep.clean', 20, { group: 'prep', runtime: 120, limit: 600 }),
    ...fanout('ensemble.member', 9600, { group: 'ensemble', runtime: 600, limit: 3600 }),
    ...fanout('analysis.stats.agg', 300, { group: 'analysis.stats', runtime: 30 }),
    ...fanout('analysis.plots.fig', 78, { group: 'analysis.plots' }),
    task('report', { runtime: 10 }),
  ];
}

/** The climate campaign 16 minutes in: prep done, 32 members running, 30 done, 2 failed. */
export function climateMidRun(): { events: EngineEvent[]; now: number } {
  const events: EngineEvent[] = [ev.started(climateTasks(), T0)];
  events.push(ev.begin('prep.fetch', T0 + 1000, { pid: 4242 }), ev.ok('prep.fetch', T0 + 51_000, 50_000));
  let t = T0 + 51_000;
  for (let i = 0; i < 20; i++)
    events.push(ev.begin(`prep.clean[i=${i}]`, t + i * 10, { jobId: `8100_${i}` }));
  t += 200_000;
  for (let i = 0; i < 20; i++) events.push(ev.ok(`prep.clean[i=${i}]`, t + i * 10));
  t += 1000;
  for (let i = 0; i < 64; i++) {
    events.push(
      ev.begin(`ensemble.member[i=${i}]`, t + i * 1000, { jobId: `8200_${i}`, host: `n${10 + (i % 8)}` }),
    );
  }
  t += 700_000;
  for (let i = 0; i < 30; i++) events.push(ev.ok(`ensemble.member[i=${i}]`, t + i * 100, 650_000));
  events.push(
    ev.fail('ensemble.member[i=31]', t + 5000, 'timed out after 1h00m', { kind: 'timeout', attempt: 3 }),
    ev.fail('ensemble.member[i=32]', t + 6000, 'exit code 3'),
  );
  return { events, now: t + 7000 };
}

/** What `readLogTail` returns in tests: a Python traceback naming the log. */
export function fakeTail(path: string, n: number): string[] {
  return [
    'Traceback (most recent call last):',
    '  File "member.py", line 42, in <module>',
    `ValueError: seed out of range (${path.split('/').pop()})`,
  ].slice(-n);
}
