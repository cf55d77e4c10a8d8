/**
 * A token bucket: at most `perSecond` calls a second on average, with bursts of up to
 * `perSecond` calls (at least one). `take()` resolves when the caller may go.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.burst = Math.max(1, Math.floor(perSecond));
    this.tokens = this.burst;
    this.last = now();
  }

  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const wait = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
      await new Promise((res) => setTimeout(res, wait));
    }
  }
}
