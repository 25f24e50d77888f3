import { describe, expect, it } from 'vitest';
import { Health } from './health.js';
import { Latencies, LIVE_INTERVAL_MS } from './latency.js';
import { liveFiguresOf } from './live-figures.js';
import { parseStatusJson, statusJson, statusOf, statusText } from './status-line.js';

describe('live figures', () => {
  it('latency percentiles are per interval, not since start: a slow warm-up does not stay on the page', () => {
    const l = new Latencies();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) l.recordFlush(4000); // warm-up: 4 s flushes
    expect(l.intervalPercentiles(t0 + LIVE_INTERVAL_MS + 1).flushMs.p99).toBeGreaterThanOrEqual(3990);
    for (let i = 0; i < 100; i++) l.recordFlush(50); // steady
    expect(l.intervalPercentiles(t0 + 2 * LIVE_INTERVAL_MS + 2).flushMs.p99).toBeLessThan(51);
    expect(l.flushMs.getValueAtPercentile(99)).toBeGreaterThanOrEqual(3990); // the run's total keeps both
  });

  it('the status line fits in 120 columns whatever the figures', () => {
    const l = new Latencies();
    l.recordFlush(123_456);
    const f = liveFiguresOf({
      counts: { consumed: 9e12, valid: 9e12, invalid: 8e11, late: 7e10, flushes: 1e9 },
      acknowledged: 9e12,
      lag: new Map([
        [0, 5e9],
        [1, 5e9],
      ]),
      latencies: l,
      health: new Health(),
      lastPollAt: 0,
    });
    const status = statusOf(f, 12_345_678, l);
    const line = statusText(status);
    expect(line.length).toBeLessThanOrEqual(120);
    expect(line).toMatch(/^engine: 12\.3M ev\/s \| valid 9000\.0G/);
    // The json form (STATUS_FORMAT=json) is one line a program reads back whole.
    const json = statusJson(status);
    expect(json).not.toContain('\n');
    expect(parseStatusJson(json)).toEqual(status);
    expect(parseStatusJson(line)).toBeUndefined();
  });
});
