import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import type { Placement } from '../../exec/events.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult, Update } from '../contract.js';
import { launcherArgv, launcherPath, nativeLauncher } from '../launcher/launch.js';
import { findLauncher, isOurs } from '../launcher/pid.js';
import { judge, readResult } from '../launcher/result.js';
import { SpawnServer } from './spawn-server.js';

interface Live {
  readonly handle: Handle;
  readonly limit?: number;
  /** Set when the process is not our child (reattached): it is watched by polling. */
  adopted: boolean;
  stopping: boolean;
}

/**
 * Runs attempts on this machine. Each attempt is a launcher process in a session of its own
 * (so Ctrl-C in the terminal reaches the head only, and a crash of the head leaves it
 * running); the launcher records the result, which is how a new head collects it.
 */
export class LocalAdapter implements SchedulerAdapter {
  readonly name = 'local' as const;
  readonly admission = 'engine' as const;
  readonly nativeDependencies = false;
  readonly detachable = false;
  private onUpdate: (u: readonly Update[]) => void = () => {};
  private readonly live = new Map<string, Live>();
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly host = hostname();
  private server: SpawnServer | undefined;

  constructor(private readonly baseEnv: NodeJS.ProcessEnv = process.env) {}

  start(onUpdate: (u: readonly Update[]) => void): void {
    this.onUpdate = onUpdate;
  }

  async submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]> {
    if (!nativeLauncher) return batch.map((s) => this.launch(s));
    return Promise.all(batch.map((s) => this.request(s)));
  }

  /** Through the spawn server: the head writes a request instead of forking itself. */
  private request(s: Submission): Promise<SubmitResult> {
    this.server ??= this.startServer();
    const server = this.server;
    return new Promise((resolve) => {
      let entry: Live | undefined;
      server.start(s.workdir, launcherArgv(s), s.env, {
        started: (pid) => {
          const handle: Handle = {
            taskId: s.taskId,
            attempt: s.attempt,
            jobId: String(pid),
            startedAt: Date.now(),
            files: s.files,
          };
          entry = {
            handle,
            adopted: false,
            stopping: false,
            ...(s.limit !== undefined ? { limit: s.limit } : {}),
          };
          this.live.set(keyOf(handle), entry);
          this.onUpdate([{ kind: 'running', handle, where: { pid, host: this.host }, host: this.host }]);
          resolve({ ok: true, handle });
        },
        ended: () => {
          if (entry) this.collect(entry);
        },
        failed: () => resolve({ ok: false, message: 'cannot start the launcher' }),
        result: s.files.result,
      });
    });
  }

  private startServer(): SpawnServer {
    const server = new SpawnServer(launcherPath, this.baseEnv);
    server.onExit = () => {
      if (this.server === server) this.server = undefined;
      // Launchers outlive the server: watch the ones it started by polling instead.
      for (const e of this.live.values()) e.adopted = true;
      for (const p of server.outstanding()) {
        if (!p.result) continue;
        const pid = findLauncher(p.result);
        if (pid !== undefined) p.started(pid);
        else p.failed();
      }
      this.ensurePolling();
    };
    return server;
  }

  private launch(s: Submission): SubmitResult {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(launcherPath, launcherArgv(s), {
        cwd: s.workdir,
        env: { ...this.baseEnv, ...s.env },
        stdio: 'ignore',
        detached: true,
      });
    } catch (e) {
      return { ok: false, message: `cannot start: ${(e as Error).message}` };
    }
    // A launcher that cannot be started reports through 'error'; the missing pid says it here.
    child.on('error', () => {});
    if (child.pid === undefined) {
      return { ok: false, message: 'cannot start the launcher' };
    }
    const handle: Handle = {
      taskId: s.taskId,
      attempt: s.attempt,
      jobId: String(child.pid),
      startedAt: Date.now(),
      files: s.files,
    };
    const key = keyOf(handle);
    const entry: Live = {
      handle,
      adopted: false,
      stopping: false,
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
    };
    this.live.set(key, entry);
    child.on('exit', () => this.collect(entry));
    // The head must not wait for a detached launcher to exit before it can exit itself.
    child.unref();
    this.onUpdate([{ kind: 'running', handle, where: { pid: child.pid, host: this.host }, host: this.host }]);
    return { ok: true, handle };
  }

  private collect(entry: Live): void {
    const update = this.finish(entry);
    if (update) this.onUpdate([update]);
  }

  /** Turns an attempt whose launcher has exited into its `ended` update. */
  private finish(entry: Live): Update | undefined {
    if (!this.live.delete(keyOf(entry.handle))) return undefined;
    const result = readResult(entry.handle.files.result);
    if (!result) {
      const never = entry.handle.jobId === '';
      return {
        kind: 'ended',
        handle: entry.handle,
        outcome: {},
        failure: entry.stopping ? 'cancelled' : 'lost',
        message: entry.stopping
          ? 'cancelled'
          : never
            ? 'never started (the head stopped first)'
            : 'the launcher ended without recording a result',
      };
    }
    const { outcome, failure, message } = judge(result, entry.limit);
    return {
      kind: 'ended',
      handle: entry.handle,
      outcome,
      ...(failure ? { failure } : {}),
      ...(message ? { message } : {}),
    };
  }

  async cancel(handles: readonly Handle[], opts: { force?: boolean } = {}): Promise<void> {
    for (const h of handles) {
      const entry = this.live.get(keyOf(h));
      if (entry) entry.stopping = true;
      const pid = Number(h.jobId);
      // The launcher forwards TERM to the task's group and escalates to KILL after a grace
      // period; a second TERM escalates at once.
      signal(pid, 'SIGTERM');
      if (opts.force) setTimeout(() => signal(pid, 'SIGTERM'), 50).unref();
    }
  }

  async reattach(handles: readonly Handle[]): Promise<void> {
    const ended: Update[] = [];
    for (const recorded of handles) {
      // An attempt recorded as handed over but not as started: find its launcher, if it runs.
      const pid = recorded.jobId === '' ? findLauncher(recorded.files.result) : undefined;
      const h = pid !== undefined ? { ...recorded, jobId: String(pid) } : recorded;
      const entry: Live = { handle: h, adopted: true, stopping: false };
      this.live.set(keyOf(h), entry);
      if (!isOurs(h)) {
        const update = this.finish(entry);
        if (update) ended.push(update);
      }
    }
    if (ended.length > 0) this.onUpdate(ended);
    this.ensurePolling();
  }

  /** Adopted processes are not our children: look for their exit twice a second. */
  private ensurePolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      let adopted = 0;
      for (const entry of [...this.live.values()]) {
        if (!entry.adopted) continue;
        adopted++;
        if (!isOurs(entry.handle)) this.collect(entry);
      }
      if (adopted === 0 && this.pollTimer) {
        clearInterval(this.pollTimer);
        this.pollTimer = undefined;
      }
    }, 500);
  }

  /** A local attempt runs as the launcher's pid on this machine. */
  placement(h: Handle): Placement {
    return h.jobId !== '' ? { pid: Number(h.jobId), host: this.host } : { host: this.host };
  }

  /** Attempts still running (for cancellation on exit). */
  running(): Handle[] {
    return [...this.live.values()].map((e) => e.handle);
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.server?.close();
    this.server = undefined;
  }
}

const keyOf = (h: Handle) => `${h.taskId}\u0000${h.attempt}`;

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
