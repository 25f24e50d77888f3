/**
 * Differential fuzzing of the byte scanner against the reference validator: 1,000,000 events
 * mutated in ways that target the scanner's shortcuts — the day cache (a calendar-invalid date right
 * after a valid one of a nearby month), each field's extremes, long digit runs, escapes, duplicated
 * keys, truncation — each checked in the order generated (the scanner's cache carries over, as in
 * a batch). Any event the scanner accepts while the reference rejects it, or reads differently,
 * fails the test with the event. A seeded generator: a failure prints its seed and replays.
 */
import { describe, expect, it } from 'vitest';
import { validateEvent } from './event-reference.js';
import { DEFAULT_MAX_EVENT_TIME_MS, DEFAULT_MIN_EVENT_TIME_MS } from './event-rules.js';
import { ACCEPT, scan, scanEvent, scannedFields } from './fast-decode.js';

const RANGE = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };
const EVENTS = 1_000_000;

/** xorshift32: fast, seeded, replayable. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(a: readonly T[]) => a[Math.floor(next() * a.length)],
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** One event's text: each field usually valid, else at or past one of its edges. */
function eventText(r: ReturnType<typeof rng>): string {
  const edge = () => r.next() < 0.15;
  const y = edge() ? r.pick([1970, 1999, 2100, 9999, 0]) : 2026 + r.int(2);
  const mo = edge() ? r.pick([0, 13, 99]) : 1 + r.int(12);
  // Days past the month's end, and days of 32..99 (the day cache's key once collided on them).
  const d = edge() ? r.pick([0, 29, 30, 31, 32, 33, 39, 40, 99]) : 1 + r.int(28);
  const hms = edge()
    ? `${pad(r.pick([23, 24, 99]), 2)}:${pad(r.pick([59, 60]), 2)}:${pad(r.pick([59, 60]), 2)}`
    : `${pad(r.int(24), 2)}:${pad(r.int(60), 2)}:${pad(r.int(60), 2)}`;
  const frac = edge() ? r.pick(['.', '.1234567890', '.1x']) : r.pick(['', '.1', '.12', '.123', '.123456789']);
  const zone = edge()
    ? r.pick(['', 'z', '+24:00', '+05:60', '+0530', '-05:3'])
    : r.pick(['Z', '+00:00', '-05:30', '+23:59']);
  const time = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${hms}${frac}${zone}`;
  const ts = edge()
    ? r.pick(['-1', '0', '1e3', '17959110261230000', '1795911026123.5', '"1795911026123"', '01795911026123'])
    : r.next() < 0.9
      ? JSON.stringify(time)
      : String(1_700_000_000_000 + r.int(2 ** 30));
  const run = (n: number) => '9'.repeat(n);
  const price = edge()
    ? r.pick([
        '-0',
        '-1',
        '1e308',
        '1e309',
        run(24),
        run(25),
        run(308),
        run(309),
        run(400),
        `${run(400)}.5`,
        '"3"',
        'true',
      ])
    : r.pick(['19.9', '0', '0.0000001', '12345678901234567890', 'null', '1.005', '0.285', '1234567.89']);
  const id = () =>
    edge()
      ? r.pick(['""', `"${'x'.repeat(256)}"`, `"${'x'.repeat(257)}"`, '5', 'null', '"\\u00e9"', '"a\\"b"'])
      : `"u${r.int(1000)}"`;
  const fields = [`"user_id":${id()}`, `"item_id":${id()}`, `"timestamp":${ts}`];
  if (r.next() < 0.8) fields.push(`"price_usd":${price}`);
  if (r.next() < 0.5)
    fields.push(
      `"category":${edge() ? r.pick(['7', '"\\q"', '[]', '""', `"${'c'.repeat(256)}"`, `"${'c'.repeat(257)}"`, '"a\\"b"']) : r.pick(['"books"', 'null'])}`,
    );
  if (r.next() < 0.7)
    fields.push(
      `"interaction_type":${edge() ? r.pick(['"views"', '"purchas"', '"Purchase"', '""', '3', '"purch\\u0061se"']) : r.pick(['"view"', '"click"', '"add_to_cart"', '"purchase"', 'null'])}`,
    );
  if (r.next() < 0.7)
    fields.push(
      `"session_id":${edge() ? r.pick(['""', '"s\\"1"', '5', '"sé"']) : r.pick(['"s-1"', 'null'])}`,
    );
  if (r.next() < 0.03) fields.push(r.pick(fields)); // a field twice
  for (let i = fields.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [fields[i], fields[j]] = [fields[j], fields[i]];
  }
  return `{${fields.join(r.pick([',', ', ', ',\n']))}}`;
}

/** A few random byte edits or a cut, sometimes. */
function mutate(r: ReturnType<typeof rng>, text: string): Buffer {
  const b = Buffer.from(text);
  const edits = r.next() < 0.7 ? 0 : 1 + r.int(3);
  for (let k = 0; k < edits; k++)
    b[r.int(b.length)] = r.pick([0x22, 0x5c, 0x2c, 0x7d, 0x30 + r.int(10), r.int(256)]);
  return r.next() < 0.05 ? b.subarray(0, r.int(b.length)) : b;
}

describe('fast decode vs the reference, differential fuzzing', () => {
  it(`agrees on ${EVENTS.toLocaleString('en-US')} mutated events, checked in sequence`, () => {
    const seed = Number(process.env.RIA_FUZZ_SEED ?? 0x5eed);
    const r = rng(seed);
    let accepted = 0;
    for (let n = 0; n < EVENTS; n++) {
      const b = mutate(r, eventText(r));
      if (scanEvent(b, 0, b.length, RANGE.minMs, RANGE.maxMs) !== ACCEPT) continue;
      accepted++;
      const ref = validateEvent(b, 'json', RANGE);
      const same =
        ref.ok &&
        b.toString('latin1', scan.userStart, scan.userEnd) === ref.userId &&
        b.toString('latin1', scan.itemStart, scan.itemEnd) === ref.itemId &&
        scan.time === ref.time &&
        JSON.stringify(scannedFields(b)) ===
          JSON.stringify({
            step: ref.step,
            cents: ref.cents,
            category: ref.category,
            sessionId: ref.sessionId,
          });
      if (!same)
        expect.fail(
          `seed ${seed}, event ${n}: the scanner accepted what the reference ${ref.ok ? 'reads differently' : `rejects (${ref.reason})`}: ${b.toString('latin1')}`,
        );
    }
    // The generator must reach the accepting paths, or the comparison proves nothing.
    expect(accepted).toBeGreaterThan(EVENTS / 10);
  });
});
