import type { Placement } from '../exec/events.js';
import type { Handle, SchedulerAdapter, Submission, SubmitResult, Update } from '../schedulers/contract.js';

/** What a head checks around its adapter. */
export interface Guard {
  /** Why nothing may be handed over now (the lock is lost, the journal cannot be written). */
  refusal(): string | undefined;
  /** Sees each batch of updates before the engine does. */
  inspect(updates: readonly Update[]): void;
  /** A cancel the scheduler did not take: what it said (the attempts may still run). */
  cancelFailed(message: string, handles: readonly Handle[]): void;
}

/**
 * A head's adapter behind its safety checks: a hand-over is refused once the head may no
 * longer hand out work, even one the engine prepared in the same turn as the halt (the
 * engine records the refusal as a failed hand-over and ends; nothing runs untraced or twice).
 */
export class GuardedAdapter implements SchedulerAdapter {
  readonly name: SchedulerAdapter['name'];
  readonly admission: SchedulerAdapter['admission'];
  readonly nativeDependencies: boolean;
  readonly detachable: boolean;

  constructor(
    private readonly inner: SchedulerAdapter,
    private readonly guard: Guard,
  ) {
    this.name = inner.name;
    this.admission = inner.admission;
    this.nativeDependencies = inner.nativeDependencies;
    this.detachable = inner.detachable;
    if (inner.placement) this.placement = (h) => inner.placement!(h);
  }

  placement?: (h: Handle) => Placement;

  start(onUpdate: (updates: readonly Update[]) => void): void {
    this.inner.start((u) => {
      this.guard.inspect(u);
      onUpdate(u);
    });
  }

  async submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]> {
    const why = this.guard.refusal();
    if (why === undefined) return this.inner.submit(batch);
    return batch.map(() => ({ ok: false as const, message: `not handed over: ${why}` }));
  }

  /** Never rejects: a cancel the scheduler refused is the guard's to report. */
  async cancel(handles: readonly Handle[], opts?: { force?: boolean }): Promise<void> {
    try {
      await this.inner.cancel(handles, opts);
    } catch (e) {
      this.guard.cancelFailed(e instanceof Error ? e.message : String(e), handles);
    }
  }

  reattach(handles: readonly Handle[]): Promise<void> {
    return this.inner.reattach(handles);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
