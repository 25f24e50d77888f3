import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysFromCivil, isLate, parseIsoTimestamp, windowOf } from './event-rules.js';

describe('event rules', () => {
  it('windows are floor(t / width), also for negative times', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), fc.integer({ min: 1, max: 600_000 }), (t, w) => {
        const k = windowOf(t, w);
        expect(k * w <= t && t < (k + 1) * w).toBe(true);
      }),
    );
  });

  it('days from civil agree with Date.UTC over four centuries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2300 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (y, m, d) => {
          expect(daysFromCivil(y, m, d) * 86_400_000).toBe(Date.UTC(y, m - 1, d));
        },
      ),
    );
  });

  it('parses ISO-8601 with a zone exactly as Date does, to the millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2099, 11, 31) }), (t) => {
        expect(parseIsoTimestamp(new Date(t).toISOString())).toBe(t);
      }),
    );
    expect(parseIsoTimestamp('2026-11-28T10:00:00+02:00')).toBe(Date.UTC(2026, 10, 28, 8));
    expect(parseIsoTimestamp('2026-11-28T10:00:00.123456-01:30')).toBe(
      Date.UTC(2026, 10, 28, 11, 30, 0, 123),
    );
    expect(parseIsoTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it('rejects malformed, zoneless and out-of-calendar times', () => {
    for (const s of [
      '2026-11-28T10:00:00',
      '2026-11-28 10:00:00Z',
      '2023-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-28T24:00:00Z',
      'yesterday',
      '',
      '2026-11-28T10:00:00+25:00',
    ]) {
      expect(parseIsoTimestamp(s), s).toBeNaN();
    }
  });

  it('an event is late when its window ended at or before its partition watermark', () => {
    // window [1000, 2000), lateness 500: late once the partition has seen t >= 2500.
    expect(isLate(1999, 2499, 1000, 500)).toBe(false);
    expect(isLate(1999, 2500, 1000, 500)).toBe(true);
    expect(isLate(2000, 10_000, 1000, 0)).toBe(true);
    expect(isLate(5000, Number.NEGATIVE_INFINITY, 1000, 0)).toBe(false);
  });
});
