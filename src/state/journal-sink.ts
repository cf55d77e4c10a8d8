import { hostname } from 'node:os';
import type { EngineEvent, EventSink, Outcome } from '../exec/events.js';
import type { CampaignScheduler } from '../model/campaign.js';
import type { TaskGraph } from '../model/tasks.js';
import { JournalWriter } from './journal.js';

/** What the `run` record says of a run beyond its events: the facts a later head goes by. */
export interface RunFacts {
  /** The campaign file, absolute. */
  readonly file: string;
  /** The campaign file relative to the state directory: which campaign the run belongs to. */
  readonly fid: string;
  /** The scheduler the run was started with, settings and all. */
  readonly sched: CampaignScheduler;
}

/** Records the event stream in the run's journal: the durable state of the campaign. */
export class JournalSink implements EventSink {
  private readonly writer: JournalWriter;
  private seq: number;

  constructor(
    path: string,
    private readonly graph: TaskGraph,
    private readonly facts: RunFacts,
    lastSeq: number,
  ) {
    this.writer = new JournalWriter(path);
    this.seq = lastSeq;
  }

  /** The first failed write, if any: from then on the journal records nothing. */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.writer.failure;
  }

  set onError(f: (e: NodeJS.ErrnoException) => void) {
    this.writer.onError = f;
  }

  handle(e: EngineEvent): void {
    const w = this.writer;
    if (e.type === 'run') {
      if (e.reason === 'started') {
        w.append({
          k: 'run',
          t: e.t,
          run: e.runId,
          pid: process.pid,
          host: hostname(),
          file: this.facts.file,
          fid: this.facts.fid,
          campaign: e.campaign,
          scheduler: e.scheduler,
          sched: this.facts.sched,
          tasks: e.tasks.length,
          sel: e.tasks.map((t) => t.id),
        });
      } else if (e.reason === 'finished') {
        w.append({ k: 'end', t: e.t, status: e.status, counts: { ...e.counts } });
        w.sync();
      }
      return;
    }
    const r0 = 'fromRun' in e && e.fromRun ? { r0: e.fromRun } : {};
    switch (e.reason) {
      case 'queued':
        // Recorded before the hand-over that follows this event, so a crash cannot lose it.
        w.append({
          k: 'q',
          t: e.t,
          id: e.id,
          a: e.attempt,
          ...(e.where?.jobId ? { j: e.where.jobId } : {}),
          ...r0,
        });
        w.flush();
        break;
      case 'started':
        w.append({
          k: 's',
          t: e.t,
          id: e.id,
          a: e.attempt,
          j: String(e.where.pid ?? e.where.jobId ?? ''),
          st: e.t,
          ...r0,
        });
        break;
      case 'succeeded': {
        const v = this.graph.indexOf.get(e.id);
        const h = v === undefined ? '' : this.graph.tasks[v]!.hash;
        w.append({ k: 'ok', t: e.t, id: e.id, a: e.attempt, h, n: ++this.seq, ...metrics(e.outcome), ...r0 });
        break;
      }
      case 'failed':
        w.append({
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
          ...r0,
        });
        break;
      case 'skipped':
        w.append({ k: 'sk', t: e.t, id: e.id, up: e.upstream, msg: e.message });
        break;
      case 'cancelled':
        w.append({ k: 'c', t: e.t, id: e.id, a: e.attempt, ...r0 });
        break;
    }
  }

  close(): void {
    this.writer.close();
  }
}

function metrics(o: Outcome): { w?: number; c?: number; m?: number } {
  return {
    ...(o.wallMs !== undefined ? { w: o.wallMs } : {}),
    ...(o.cpuMs !== undefined ? { c: o.cpuMs } : {}),
    ...(o.maxRssKiB !== undefined ? { m: o.maxRssKiB } : {}),
  };
}
