import { describe, expect, it } from 'vitest';
import { taskOf } from '../source/batch-packer.js';
import { segmentOf } from '../source/rdkafka-batch.js';
import { decodeBatch } from './batch-decode.js';

const T0 = Date.UTC(2026, 10, 30, 12);
const DAY = 86_400_000;
const event = (k: number, t: number) =>
  Buffer.from(
    JSON.stringify({ user_id: `u${k % 7}`, item_id: `i${k % 5}`, timestamp: new Date(t).toISOString() }),
  );

function decode(messages: { value: Buffer; timestamp: number }[], maxAheadMs: number) {
  return decodeBatch(
    taskOf(segmentOf(0, 0, messages), Number.NEGATIVE_INFINITY, {
      windowMs: 1000,
      allowedLatenessMs: 2000,
      sessionGapMs: 1_800_000,
      format: 'json',
      range: { minMs: 0, maxMs: 4e12 },
      sampleEvery: 1000,
      maxAheadMs,
    }),
  );
}

describe('events ahead of their Kafka record timestamp (MAX_EVENT_AHEAD_MS)', () => {
  // 100 events 100 ms apart, then one stamped a day ahead, then 100 more continuing the first ones.
  const messages = [
    ...Array.from({ length: 100 }, (_, k) => ({
      value: event(k, T0 + 100 * k),
      timestamp: T0 + 100 * k + 5,
    })),
    { value: event(1000, T0 + DAY), timestamp: T0 + 10_000 },
    ...Array.from({ length: 100 }, (_, k) => ({
      value: event(k, T0 + 10_000 + 100 * k),
      timestamp: T0 + 10_000 + 100 * k + 5,
    })),
  ];

  it('dead-letters the future event (reason future), which moves no watermark: nothing after it is late', () => {
    const d = decode(messages, 300_000);
    expect(d.valid).toBe(200);
    expect(d.late).toBe(0);
    expect([...d.invalidIndex]).toEqual([100]);
    expect(d.invalidReasons[0]).toMatch(/^future: /);
    expect(d.partitionMax).toBe(T0 + 10_000 + 9_900);
  });

  it('without the check, the same input makes the 100 events after it late (what the guard prevents)', () => {
    const d = decode(messages, Number.POSITIVE_INFINITY);
    expect(d.valid).toBe(201);
    expect(d.late).toBe(100);
  });

  it('decides on the data alone: no timestamp (-1) means no check; the same bytes decide the same way', () => {
    const untimed = messages.map((m) => ({ value: m.value, timestamp: -1 }));
    expect(decode(untimed, 300_000).invalidIndex.length).toBe(0);
    expect(decode(messages, 300_000)).toMatchObject({ valid: 200, late: 0 });
  });
});
