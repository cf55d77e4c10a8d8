import { type ChildProcess, spawn } from 'node:child_process';

interface Pending {
  started(pid: number): void;
  ended(): void;
  failed(): void;
  /** The attempt's result file: how its launcher is found again if the server dies. */
  readonly result?: string;
}

/**
 * Starts launchers through one long-lived `campaign-exec --serve` process. Forking the head,
 * a large Node process, costs a millisecond or more per task; writing a request to a pipe
 * costs microseconds. Requests written in the same tick go out in one write.
 */
export class SpawnServer {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, Pending>();
  private nextId = 1;
  private queue: Buffer[] = [];
  private scheduled = false;
  private buffered = '';
  /** Called when the server is gone; launchers it started go on without it. */
  onExit: () => void = () => {};

  constructor(launcher: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(launcher, ['--serve'], { stdio: ['pipe', 'pipe', 'inherit'], env });
    this.child.on('error', () => {});
    this.child.stdin!.on('error', () => {});
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.read(d));
    this.child.on('exit', () => this.onExit());
    this.child.unref();
    (this.child.stdout as unknown as { unref?: () => void }).unref?.();
  }

  /** Asks for a launcher with these arguments, in `cwd`, with `env` added to the server's environment. */
  start(cwd: string, args: readonly string[], env: Readonly<Record<string, string>>, on: Pending): void {
    const id = this.nextId++;
    this.waiting.set(id, on);
    const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const fields = [String(id), cwd, String(args.length), ...args, String(envList.length), ...envList];
    for (const f of fields) {
      if (f.includes('\0')) {
        this.waiting.delete(id);
        on.failed();
        return;
      }
    }
    this.queue.push(Buffer.from(`${fields.join('\0')}\0`));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const chunk = Buffer.concat(this.queue);
    this.queue = [];
    this.child.stdin!.write(chunk);
  }

  private read(data: string): void {
    this.buffered += data;
    let nl = this.buffered.indexOf('\n');
    while (nl >= 0) {
      const [kind, idText, value] = this.buffered.slice(0, nl).split(' ');
      this.buffered = this.buffered.slice(nl + 1);
      nl = this.buffered.indexOf('\n');
      const id = Number(idText);
      const pending = this.waiting.get(id);
      if (!pending) continue;
      if (kind === 'S') pending.started(Number(value));
      else if (kind === 'X') {
        this.waiting.delete(id);
        pending.ended();
      } else if (kind === 'F') {
        this.waiting.delete(id);
        pending.failed();
      }
    }
  }

  /** Requests not yet answered with an end. */
  outstanding(): Pending[] {
    return [...this.waiting.values()];
  }

  close(): void {
    this.child.stdin!.end();
  }
}
