import { hostname, userInfo } from 'node:os';
import type { EngineEvent, EventSink } from '../exec/events.js';
import type { CampaignScheduler } from '../model/campaign.js';
import type { TaskGraph } from '../model/tasks.js';
import { JournalWriter } from './journal.js';
import { encodeEnd, encodeRun, encodeTask } from './journal-codec.js';

/** What the `run` record says of a run beyond its events: the facts a later head goes by. */
export interface RunFacts {
  /** The campaign file, absolute. */
  readonly file: string;
  /** The campaign file relative to the state directory: which campaign the run belongs to. */
  readonly fid: string;
  /** The scheduler the run was started with, settings and all. */
  readonly sched: CampaignScheduler;
  /** The command line that started the run (`campaign run …`). */
  readonly argv?: readonly string[];
  /** Why it was run (`--reason`). */
  readonly reason?: string;
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
        const user = userName();
        w.append(
          encodeRun(e, {
            ...this.facts,
            pid: process.pid,
            host: hostname(),
            ...(user !== undefined ? { user } : {}),
          }),
        );
      } else if (e.reason === 'finished') {
        w.append(encodeEnd(e));
        w.sync();
      }
      return;
    }
    w.append(
      encodeTask(e, () => {
        const v = this.graph.indexOf.get(e.id);
        return { hash: v === undefined ? '' : this.graph.tasks[v]!.hash, seq: ++this.seq };
      }),
    );
    // Recorded before the hand-over that follows this event, so a crash cannot lose it.
    if (e.reason === 'queued') w.flush();
  }

  close(): void {
    this.writer.close();
  }
}

/** The name of the user running the head, if the system knows one. */
function userName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
