import type { Submission, SubmitResult } from '../contract.js';

interface Waiting {
  readonly batch: readonly Submission[];
  readonly resolve: (r: readonly SubmitResult[]) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Gathers `submit` calls made in the same tick (or within `coalesce` ms) into one batch, so
 * an engine that submits one attempt per call still gets array jobs, and sends the batches
 * one at a time: a later batch may wait on jobs of an earlier one.
 */
export class SubmitBatcher {
  private waiting: Waiting[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly coalesce: number,
    private readonly send: (all: readonly Submission[]) => Promise<readonly SubmitResult[]>,
  ) {}

  submit(batch: readonly Submission[]): Promise<readonly SubmitResult[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      if (this.flushTimer) return;
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        const taken = this.waiting;
        this.waiting = [];
        this.chain = this.chain.then(() => this.flush(taken));
      }, this.coalesce);
    });
  }

  /** Resolves once every batch taken so far has been sent. */
  drained(): Promise<void> {
    return this.chain;
  }

  private async flush(taken: readonly Waiting[]): Promise<void> {
    try {
      const results = await this.send(taken.flatMap((w) => w.batch));
      let at = 0;
      for (const w of taken) {
        w.resolve(results.slice(at, at + w.batch.length));
        at += w.batch.length;
      }
    } catch (e) {
      for (const w of taken) w.reject(e);
    }
  }
}
