/**
 * The byte scanner may fall back, but whenever it accepts it must agree with the reference
 * validator: same ids, same time. Checked on fixed tricky inputs and on random mutations of
 * valid events (fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from './event-reference.js';
import { DEFAULT_MAX_EVENT_TIME_MS, DEFAULT_MIN_EVENT_TIME_MS } from './event-rules.js';
import { ACCEPT, scan, scanEvent, scannedFields } from './fast-decode.js';

const RANGE = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };

function check(text: string | Buffer) {
  const b = typeof text === 'string' ? Buffer.from(text) : text;
  const fast = scanEvent(b, 0, b.length, RANGE.minMs, RANGE.maxMs);
  const ref = validateEvent(b, 'json', RANGE);
  if (fast === ACCEPT) {
    expect(ref.ok, `accepted but the reference says ${!ref.ok && ref.reason}: ${b.toString('latin1')}`).toBe(
      true,
    );
    if (ref.ok) {
      expect(b.toString('latin1', scan.userStart, scan.userEnd)).toBe(ref.userId);
      expect(b.toString('latin1', scan.itemStart, scan.itemEnd)).toBe(ref.itemId);
      expect(scan.time).toBe(ref.time);
      expect(scannedFields(b)).toEqual({
        step: ref.step,
        cents: ref.cents,
        category: ref.category,
        sessionId: ref.sessionId,
      });
    }
  }
  return { fast: fast === ACCEPT, ref: ref.ok };
}

const good = {
  event_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  session_id: 's-1',
  user_id: 'user-42',
  item_id: 'SKU-7',
  category: 'books',
  price_usd: 19.9,
  interaction_type: 'view',
  timestamp: '2026-11-28T10:00:01.234Z',
};

describe('fast decode', () => {
  it('accepts the producer format, in any key order and with whitespace', () => {
    expect(check(JSON.stringify(good))).toEqual({ fast: true, ref: true });
    expect(check(JSON.stringify(good, null, 2))).toEqual({ fast: true, ref: true });
    const reversed = Object.fromEntries(Object.entries(good).reverse());
    expect(check(JSON.stringify(reversed))).toEqual({ fast: true, ref: true });
    expect(check(JSON.stringify({ ...good, timestamp: 1795911026123 }))).toEqual({ fast: true, ref: true });
    expect(check(JSON.stringify({ ...good, extra: { nested: [1, 'x', null, true] } }))).toEqual({
      fast: true,
      ref: true,
    });
    expect(check(JSON.stringify({ ...good, timestamp: '2026-11-28T10:00:01+05:30' }))).toEqual({
      fast: true,
      ref: true,
    });
  });

  it('reads keys the quick way and the general way alike (quickKey: a known key written plainly)', () => {
    const text = JSON.stringify(good);
    // Space before a colon, a known key's prefix of a longer one, an unknown key on a known
    // key's first letter, a key at the end of the input: each must read as the reference does.
    for (const variant of [
      text.replace('"user_id":', '"user_id" :'),
      text.replace('"item_id":', '"item_idx":"x","item_id":'),
      text.replace('"session_id":', '"sessions":1,"session_id":'),
      text.replace('"interaction_type":"view"', '"interaction_type" :"purchase"'),
      text.replace('"category":"books"', '"cat":"x","category":"books"'),
      text.replace('"timestamp":', '"timestamp"\t:'),
      '{"user_id"',
      '{"event_id":',
    ])
      expect(check(variant).fast).toBe(check(variant).ref);
    // A duplicate known key is refused, whichever way each copy is read.
    expect(check(text.replace('"user_id":', '"user_id":"u2","user_id" :')).fast).toBe(false);
  });

  it('never accepts what the reference rejects (fixed cases)', () => {
    const cases = [
      { ...good, user_id: '' },
      { ...good, user_id: 'x'.repeat(257) },
      { ...good, user_id: 5 },
      { ...good, item_id: null },
      { ...good, price_usd: -1 },
      { ...good, price_usd: '3' },
      { ...good, timestamp: '2026-02-30T00:00:00Z' },
      { ...good, timestamp: '2026-11-28T10:00:00' },
      { ...good, timestamp: 1.5 },
      { ...good, timestamp: '1970-01-01T00:00:00Z' },
      { ...good, timestamp: '3000-01-01T00:00:00Z' },
      { ...good, category: 7 },
      [good],
    ].map((c) => JSON.stringify(c));
    cases.push('{"user_id":"a","item_id":"b","timestamp":"2026-11-28T10:00:00Z","price_usd":1e999}');
    cases.push('{"user_id":"a","item_id":"b","timestamp":"2026-11-28T10:00:00Z","x":"\\q"}');
    cases.push('{"user_id":"a","item_id":"b","timestamp":"2026-11-28T10:00:00Z",}');
    cases.push('{"user_id":"a","item_id":"b","timestamp":"2026-11-28T10:00:00Z"} x');
    cases.push('{"user_id":"a","item_id":"b","timestamp":0123}');
    for (const c of cases) expect(check(c).fast, c).toBe(false);
  });

  it('a calendar-invalid day right after a valid date of the next month is rejected (the day cache)', () => {
    // The cache key once collided: (y*16+11)*32+33 === (y*16+12)*32+1, so 2026-11-33 reused
    // 2026-12-01's check.
    expect(check(JSON.stringify({ ...good, timestamp: '2026-12-01T00:00:00Z' }))).toEqual({
      fast: true,
      ref: true,
    });
    expect(check(JSON.stringify({ ...good, timestamp: '2026-11-33T00:00:00Z' })).fast).toBe(false);
    expect(check(JSON.stringify({ ...good, timestamp: '2026-02-01T00:00:00Z' })).fast).toBe(true);
    expect(check(JSON.stringify({ ...good, timestamp: '2026-01-33T00:00:00Z' })).fast).toBe(false);
  });

  it('a price of 309 digits or more is Infinity to the reference: never accepted', () => {
    for (const n of [24, 25, 308, 309, 400])
      check(`{"user_id":"a","item_id":"b","timestamp":"2026-11-28T10:00:00Z","price_usd":${'9'.repeat(n)}}`);
    expect(
      check(`{"user_id":"a","item_id":"b","timestamp":"2026-11-28T10:00:00Z","price_usd":${'9'.repeat(309)}}`)
        .fast,
    ).toBe(false);
  });

  it('agrees with the reference on random mutations of valid events', () => {
    const base = Buffer.from(JSON.stringify(good));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(base.length),
        (edits, cut) => {
          const b = Buffer.from(base);
          for (const [i, v] of edits) b[i] = v;
          check(b);
          check(b.subarray(0, cut));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('agrees with the reference on random JSON objects', () => {
    const id = fc.oneof(fc.string({ minLength: 0, maxLength: 12 }), fc.integer(), fc.constant(null));
    const ts = fc.oneof(
      fc
        .integer({ min: DEFAULT_MIN_EVENT_TIME_MS - 10, max: DEFAULT_MIN_EVENT_TIME_MS + 1e12 })
        .map((t) => new Date(t).toISOString()),
      fc.integer({ min: 0, max: 4e12 }),
      // Calendar edges: any two-digit month and day, a valid time of day.
      fc
        .tuple(
          fc.integer({ min: 2020, max: 2030 }),
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
        )
        .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T10:00:00Z`),
      fc.string(),
      fc.double(),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            user_id: id,
            item_id: id,
            timestamp: ts,
            price_usd: fc.oneof(
              fc.double(),
              fc.constant(null),
              // Long digit runs: 309 and more overflow to Infinity.
              fc.integer({ min: 1, max: 400 }).map((n) => ({ raw: '9'.repeat(n) })),
            ),
            other: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        (o) => {
          // A { raw } price is written as its digits, unquoted.
          check(JSON.stringify(o).replace(/\{"raw":"(\d+)"\}/, '$1'));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
