/** The engine's latency histograms (HdrHistogram, 3 significant digits, 1 µs or 1 ms to 1 hour). */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** The live page's percentiles are over intervals this long. */
export const LIVE_INTERVAL_MS = 5000;

export interface IntervalPercentiles {
  p50: number;
  p99: number;
  max: number;
}

/** An interval with no sample. */
const NO_DATA: IntervalPercentiles = { p50: 0, p99: 0, max: 0 };

function histogram(highest: number): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: highest,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export class Latencies {
  /** Pool work per batch, µs. */
  readonly batchUs = histogram(3_600_000_000);
  /** Flush round trip (checkpoint + bulk until acknowledged), ms. */
  readonly flushMs = histogram(3_600_000);
  /** Event time → its document acknowledged by Elasticsearch, ms (sampled, weighted). */
  readonly endToEndMs = histogram(3_600_000);

  /** The same two since the last status line: a rising latency shows here, not in the totals. */
  private readonly recentFlushMs = histogram(3_600_000);
  private readonly recentEndToEndMs = histogram(3_600_000);

  /** The live page's: all three over the current interval (LIVE_INTERVAL_MS), then reset. */
  private readonly interval = {
    batchUs: histogram(3_600_000_000),
    flushMs: histogram(3_600_000),
    endToEndMs: histogram(3_600_000),
  };
  private intervalStart = performance.now();
  private lastInterval: Record<'batchUs' | 'flushMs' | 'endToEndMs', IntervalPercentiles> = {
    batchUs: NO_DATA,
    flushMs: NO_DATA,
    endToEndMs: NO_DATA,
  };

  recordBatch(us: number): void {
    const v = Math.max(1, Math.round(us));
    this.batchUs.recordValue(v);
    this.interval.batchUs.recordValue(v);
  }

  /** Percentiles of the last complete interval (the live page plots these, not since start). */
  intervalPercentiles(
    now = performance.now(),
  ): Record<'batchUs' | 'flushMs' | 'endToEndMs', IntervalPercentiles> {
    if (now - this.intervalStart >= LIVE_INTERVAL_MS) {
      for (const k of ['batchUs', 'flushMs', 'endToEndMs'] as const) {
        const h = this.interval[k];
        this.lastInterval[k] =
          h.totalCount === 0
            ? NO_DATA
            : { p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue };
        h.reset();
      }
      this.intervalStart = now;
    }
    return this.lastInterval;
  }

  recordFlush(ms: number): void {
    const v = Math.max(1, Math.round(ms));
    this.flushMs.recordValue(v);
    this.recentFlushMs.recordValue(v);
    this.interval.flushMs.recordValue(v);
  }

  recordEndToEnd(latencies: Float64Array, weight: number): void {
    for (const l of latencies) {
      const v = Math.max(1, Math.round(l));
      this.endToEndMs.recordValueWithCount(v, weight);
      this.recentEndToEndMs.recordValueWithCount(v, weight);
      this.interval.endToEndMs.recordValueWithCount(v, weight);
    }
  }

  /** p99 of flush and event→ES since the previous call (then starts a new interval): the status line's. */
  recentPercentiles() {
    const out = {
      flushP50: this.recentFlushMs.getValueAtPercentile(50),
      flushP99: this.recentFlushMs.getValueAtPercentile(99),
      endToEndP50: this.recentEndToEndMs.getValueAtPercentile(50),
      endToEndP99: this.recentEndToEndMs.getValueAtPercentile(99),
      endToEndMax: this.recentEndToEndMs.maxValue,
    };
    this.recentFlushMs.reset();
    this.recentEndToEndMs.reset();
    return out;
  }

  summary(): string {
    const p = (h: Histogram, q: number) => h.getValueAtPercentile(q);
    return `batch p50/p99 ${p(this.batchUs, 50)}/${p(this.batchUs, 99)} µs, flush p50/p99 ${p(this.flushMs, 50)}/${p(this.flushMs, 99)} ms, event→ES p50/p99/max ${p(this.endToEndMs, 50)}/${p(this.endToEndMs, 99)}/${this.endToEndMs.maxValue} ms`;
  }
}
