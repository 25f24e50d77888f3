/**
 * A token bucket: `rate` tokens per second, at most `burst` saved up. The clock is passed in
 * (milliseconds, fractional), so tests drive it by hand.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = 0;
    this.last = now;
  }

  /** Takes up to `max` whole tokens; returns how many were taken. */
  take(max: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    const n = Math.min(max, Math.floor(this.tokens));
    this.tokens -= n;
    return n;
  }

  /** Milliseconds until one whole token is available. */
  msUntilNext(): number {
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
  }
}
