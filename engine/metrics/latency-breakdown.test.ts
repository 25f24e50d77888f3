import { describe, expect, it } from 'vitest';
import { LatencyBreakdown } from './latency-breakdown.js';

describe('LatencyBreakdown', () => {
  it('splits each sampled event’s wait at its batch’s arrival and at the flush that covers it', () => {
    const toConsume: number[] = [];
    const toFlush: number[] = [];
    const b = new LatencyBreakdown({
      eventToConsume: (ms) => toConsume.push(ms),
      consumeToFlush: (ms) => toFlush.push(ms),
    });
    b.consumed(1_000, Float64Array.from([900, 950]));
    b.consumed(1_100, Float64Array.from([1_090]));
    b.flushStarted(1_250);
    expect(toConsume).toEqual([100, 50, 10]);
    expect(toFlush).toEqual([250, 250, 150]);
    // The next flush covers only what came after.
    b.consumed(1_300, Float64Array.from([1_280]));
    b.flushStarted(1_500);
    expect(toFlush).toEqual([250, 250, 150, 200]);
  });

  it('never records a negative wait (a producer clock ahead of the engine’s)', () => {
    const toConsume: number[] = [];
    const b = new LatencyBreakdown({ eventToConsume: (ms) => toConsume.push(ms), consumeToFlush: () => {} });
    b.consumed(1_000, Float64Array.from([1_200]));
    expect(toConsume).toEqual([0]);
  });
});
