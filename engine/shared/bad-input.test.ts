/**
 * Bad input through the pool's own path (decodeBatch: byte scanner, then the reference): each
 * case is invalid with a reason, and never disturbs the valid events around it.
 */
import { describe, expect, it } from 'vitest';
import { decodeValues } from './decode-values.js';

const T = '2026-11-28T10:00:00.000Z';
const ok = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ user_id: 'u1', item_id: 'i1', timestamp: T, ...extra });

const run = (values: (Buffer | null)[]) => decodeValues(values, { firstOffset: 100 });

const BAD: [string, Buffer | null, RegExp][] = [
  ['truncated JSON', Buffer.from(ok().slice(0, 20)), /malformed JSON/],
  ['non-JSON bytes', Buffer.from('<html>oops</html>'), /malformed JSON/],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), /UTF-8/],
  ['a JSON array', Buffer.from(`[${ok()}]`), /not an object/],
  ['a JSON number', Buffer.from('42'), /not an object/],
  ['missing user_id', Buffer.from(JSON.stringify({ item_id: 'i', timestamp: T })), /missing user_id/],
  ['missing item_id', Buffer.from(JSON.stringify({ user_id: 'u', timestamp: T })), /missing item_id/],
  ['missing timestamp', Buffer.from(JSON.stringify({ user_id: 'u', item_id: 'i' })), /missing timestamp/],
  ['user_id of the wrong type', Buffer.from(ok({ user_id: 7 })), /user_id is not a string/],
  ['price of the wrong type', Buffer.from(ok({ price_usd: '9.99' })), /price_usd is not a number/],
  ['unparseable timestamp', Buffer.from(ok({ timestamp: 'soon' })), /ISO-8601/],
  ['year 1970', Buffer.from(ok({ timestamp: '1970-01-01T00:00:00Z' })), /outside the accepted range/],
  ['year 3000', Buffer.from(ok({ timestamp: '3000-01-01T00:00:00Z' })), /outside the accepted range/],
  ['negative price', Buffer.from(ok({ price_usd: -1 })), /negative/],
  ['empty user_id', Buffer.from(ok({ user_id: '' })), /user_id is empty/],
  ['item_id over 256 bytes', Buffer.from(ok({ item_id: 'x'.repeat(257) })), /longer than 256 bytes/],
  // An _id Elasticsearch refuses (over 512 bytes) must never hold offsets back: refused here.
  [
    'category over 256 bytes',
    Buffer.from(ok({ category: 'é'.repeat(129) })),
    /category is longer than 256 bytes/,
  ],
  ['category of the wrong type', Buffer.from(ok({ category: 5 })), /category is not a string/],
  ['a 1 MiB message', Buffer.from(ok({ padding: 'x'.repeat(1 << 20) })), /larger than 65536 bytes/],
  [
    'duplicate keys',
    Buffer.from(`{"user_id":"a","item_id":"i","user_id":"b","timestamp":"${T}"}`),
    /duplicate field user_id/,
  ],
  ['a null value (tombstone)', null, /empty message/],
];

describe('bad input', () => {
  it.each(BAD)('%s is invalid with a reason', (_name, value, reason) => {
    const d = run([Buffer.from(ok()), value, Buffer.from(ok())]);
    expect(d.valid).toBe(2);
    expect([...d.invalidIndex]).toEqual([1]);
    expect(d.invalidReasons[0]).toMatch(reason);
    expect(d.nextOffset).toBe(103);
    // The value comes back whole for the dead letter (the batch's bytes stay in the worker).
    if (value === null) expect([...d.invalidEnds]).toEqual([-1]);
    else expect(Buffer.from(d.invalidValues.subarray(0, d.invalidEnds[0])).equals(value)).toBe(true);
  });

  it('accepts unknown extra fields, null optional fields and epoch-ms times', () => {
    const d = run([
      Buffer.from(ok({ campaign: { id: 7, tags: ['a', 'b'] }, referrer: null })),
      Buffer.from(ok({ price_usd: null, category: null })),
      Buffer.from(ok({ timestamp: Date.UTC(2026, 10, 28) })),
    ]);
    expect(d.valid).toBe(3);
    expect(d.invalidIndex.length).toBe(0);
  });
});
