import type { EngineEvent, EventSink } from '../exec/events.js';

/** `--ui=json`: the event stream as JSON lines, for other tools. */
export class JsonLines implements EventSink {
  constructor(private readonly write: (line: string) => void) {}

  handle(e: EngineEvent): void {
    this.write(JSON.stringify(e));
  }
}
