/**
 * Zipf-distributed ranks: P(rank k) ∝ 1 / k^s for k = 1..n. The cumulative distribution is
 * computed once (one Float64Array of n entries); a draw is one binary search, no allocation.
 */
import type { Random } from './random.js';

export class ZipfSampler {
  private readonly cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly exponent: number,
  ) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 1; k <= n; k++) {
      sum += 1 / k ** exponent;
      this.cdf[k - 1] = sum;
    }
    for (let i = 0; i < n; i++) this.cdf[i] /= sum;
  }

  /** Probability of the 0-based index i (rank i + 1). */
  probability(i: number): number {
    return this.cdf[i] - (i > 0 ? this.cdf[i - 1] : 0);
  }

  /** A 0-based index: 0 is the most popular. */
  sample(rng: Random): number {
    const u = rng.float();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
