import { describe, expect, it } from 'vitest';
import { Health } from '../engine/metrics/health.js';
import { Latencies } from '../engine/metrics/latency.js';
import { liveFiguresOf } from '../engine/metrics/live-figures.js';
import { statusJson, statusOf, statusText } from '../engine/metrics/status-line.js';
import { minuteOf, unmeasured } from './soak-minutes.js';

function status() {
  const l = new Latencies();
  l.recordFlush(42);
  const f = liveFiguresOf({
    counts: { consumed: 1000, valid: 990, invalid: 10, late: 3, flushes: 4 },
    acknowledged: 900,
    lag: new Map([[0, 7]]),
    latencies: l,
    health: new Health(),
    lastPollAt: 0,
  });
  return statusOf(f, 20_000, l);
}

describe('the soak reads the engine’s status lines', () => {
  // The soak used to match the text line with a pattern the line no longer had: every minute was
  // empty and the soak could not fail.
  it('reads every figure of the engine’s own json status line', () => {
    const m = minuteOf(statusJson(status()), 1);
    expect(m).toMatchObject({ minute: 1, eventsPerSecond: 20_000, lag: 7, flushP99: 42 });
    expect(m!.rssMiB).toBeGreaterThan(0);
  });

  it('takes no other line for a minute, the text status line included', () => {
    expect(minuteOf(statusText(status()), 1)).toBeUndefined();
    expect(minuteOf('engine: started', 1)).toBeUndefined();
  });

  it('fails a soak whose minutes were not all measured, or had no traffic', () => {
    const m = minuteOf(statusJson(status()), 1)!;
    expect(unmeasured([], 10)).toMatch(/0 of 10 minutes measured/);
    expect(unmeasured([m, { ...m, minute: 2, eventsPerSecond: 0 }], 2)).toMatch(/without events/);
    expect(unmeasured([m, { ...m, minute: 2 }], 2)).toBeUndefined();
  });
});
