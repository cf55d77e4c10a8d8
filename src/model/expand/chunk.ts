/**
 * `n` items dealt into ceil(n / size) tasks as evenly as possible: sizes differ by at most one,
 * the larger ones first, and each task holds a consecutive run of items.
 */
export class Spread {
  readonly tasks: number;
  private readonly base: number;
  private readonly extra: number;

  constructor(
    readonly items: number,
    readonly size: number,
  ) {
    this.tasks = items === 0 ? 0 : Math.ceil(items / size);
    this.base = this.tasks === 0 ? 0 : Math.floor(items / this.tasks);
    this.extra = this.tasks === 0 ? 0 : items % this.tasks;
  }

  /** First item position of task k. */
  start(k: number): number {
    return k * this.base + Math.min(k, this.extra);
  }

  /** One past the last item position of task k. */
  end(k: number): number {
    return this.start(k + 1);
  }

  /** The task that holds item position p. */
  taskOf(p: number): number {
    const big = this.extra * (this.base + 1);
    return p < big ? Math.floor(p / (this.base + 1)) : this.extra + Math.floor((p - big) / this.base);
  }

  /** Sizes as people say them: `25`, or `24-25`. */
  describe(): string {
    if (this.tasks === 0) return '0';
    return this.extra === 0 ? `${this.base}` : `${this.base}-${this.base + 1}`;
  }
}
