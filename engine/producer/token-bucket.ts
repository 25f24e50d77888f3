/**
 * A token bucket: `rate` tokens per second, handed out at most `burst` at a time. Tokens keep
 * accruing while the caller is late (a timer fired late on a busy machine) up to `catchUpMs` worth
 * of them, so the average rate holds; a longer pause is not made up. The clock is passed in
 * (milliseconds, fractional), so tests drive it by hand.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly cap: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
    catchUpMs = 100,
  ) {
    this.tokens = 0;
    this.last = now;
    this.cap = Math.max(burst, (rate * catchUpMs) / 1000);
  }

  /** Takes up to `max` (and at most `burst`) whole tokens; returns how many were taken. */
  take(max: number, now: number): number {
    this.tokens = Math.min(this.cap, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    const n = Math.min(max, this.burst, Math.floor(this.tokens));
    this.tokens -= n;
    return n;
  }

  /** Milliseconds until one whole token is available. */
  msUntilNext(): number {
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
  }
}
