/** The engine's latency histograms (HdrHistogram, 3 significant digits, 1 µs or 1 ms to 1 hour). */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

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

  recordFlush(ms: number): void {
    const v = Math.max(1, Math.round(ms));
    this.flushMs.recordValue(v);
    this.recentFlushMs.recordValue(v);
  }

  recordEndToEnd(latencies: Float64Array, weight: number): void {
    for (const l of latencies) {
      const v = Math.max(1, Math.round(l));
      this.endToEndMs.recordValueWithCount(v, weight);
      this.recentEndToEndMs.recordValueWithCount(v, weight);
    }
  }

  /** Percentiles since the previous call (then starts a new interval). */
  takeRecent(): string {
    const p = (h: Histogram, q: number) => h.getValueAtPercentile(q);
    const f = this.recentFlushMs;
    const e = this.recentEndToEndMs;
    const line = `recent flush p50/p99 ${p(f, 50)}/${p(f, 99)} ms, event→ES p50/p99/max ${p(e, 50)}/${p(e, 99)}/${e.maxValue} ms`;
    f.reset();
    e.reset();
    return line;
  }

  summary(): string {
    const p = (h: Histogram, q: number) => h.getValueAtPercentile(q);
    return `batch p50/p99 ${p(this.batchUs, 50)}/${p(this.batchUs, 99)} µs, flush p50/p99 ${p(this.flushMs, 50)}/${p(this.flushMs, 99)} ms, event→ES p50/p99/max ${p(this.endToEndMs, 50)}/${p(this.endToEndMs, 99)}/${this.endToEndMs.maxValue} ms`;
  }
}
