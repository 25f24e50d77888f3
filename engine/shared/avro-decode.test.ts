/**
 * Avro on the pool's path: the plan (avro-decode.ts) against the reference (avsc + the contract's
 * rules) on evolved writer schemas, random values and mutated bytes — the plan may fall back, but
 * whatever it accepts the reference accepts with the same fields — and through decodeBatch: a batch
 * mixing JSON and Avro, unknown ids, unusable schemas and no registry, each with its reason.
 */

import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AVRO_HEADER_BYTES, scanAvro } from './avro-decode.js';
import { compileSchema, validateAvro } from './avro-reference.js';
import { decodeValues } from './decode-values.js';
import { ACCEPT, scan, scannedFields } from './fast-decode.js';
import { funnelSections } from './funnel-layout.js';
import type { AvroWriter } from './messages.js';

const RANGE = { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) };
const T = Date.UTC(2026, 10, 28, 10);
const PRODUCER = readFileSync(new URL('../schema/interaction-event.avsc', import.meta.url), 'utf8');

/** Writer schemas a real topic could carry: the producer's, and evolutions of it. */
const WRITERS: Record<string, object> = {
  producer: JSON.parse(PRODUCER),
  evolved: {
    type: 'record',
    name: 'Click',
    namespace: 'shop',
    fields: [
      { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
      { name: 'ctx', type: { type: 'map', values: ['null', 'long', { type: 'fixed', name: 'F', size: 3 }] } },
      { name: 'user_id', type: 'string' },
      {
        name: 'geo',
        type: {
          type: 'record',
          name: 'Geo',
          fields: [
            { name: 'lat', type: 'float' },
            { name: 'ok', type: 'boolean' },
          ],
        },
      },
      { name: 'item_id', type: 'bytes' },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] } },
      { name: 'price_usd', type: 'float' },
      { name: 'interaction_type', type: 'string' },
      { name: 'session_id', type: ['string', 'null'] },
      { name: 'timestamp', type: 'string' },
      { name: 'again', type: ['null', 'Geo'], default: null },
    ],
  },
  minimal: {
    type: 'record',
    name: 'E',
    fields: [
      { name: 'item_id', type: 'string' },
      { name: 'timestamp', type: 'long' },
      { name: 'user_id', type: 'string' },
      { name: 'price_usd', type: ['null', 'long'] },
    ],
  },
};

function rnd(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

/** A random value of a field, sometimes one the contract refuses. */
function randomValue(name: string, type: avro.Type, r: () => number): unknown {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const text = () =>
    pick(['u1', 'item-42', '', 'é-non-ascii', 'x'.repeat(257), 'plain', 'view', 'purchase', 'click']);
  switch (name) {
    case 'timestamp':
      if (type.typeName === 'string')
        return pick([
          new Date(T).toISOString(),
          'soon',
          '1970-01-01T00:00:00Z',
          '2026-11-28T10:00:00.5+02:00',
        ]);
      if (type.typeName === 'int') return pick([1_700_000_000, -5]);
      return pick([T, T + 17, 5]);
    case 'price_usd':
      if (type.typeName === 'union:unwrapped' || type.typeName.startsWith('union'))
        return pick([null, 3, -2, 1999]);
      return pick([1.005, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, 12.5]);
    case 'item_id':
      return type.typeName === 'bytes' ? Buffer.from(text()) : text();
    case 'interaction_type':
      return pick(
        ['view', 'click', 'add_to_cart', 'purchase', 'other', null].filter(
          (v) => v !== null || type.typeName !== 'string',
        ),
      );
    default:
      return anyOf(type, r);
  }
}

/** A random value of an Avro type from the seeded r (avsc's own random() is seeded by the clock). */
function anyOf(type: avro.Type, r: () => number): unknown {
  const t = type as avro.Type & {
    types?: avro.Type[];
    itemsType?: avro.Type;
    valuesType?: avro.Type;
    fields?: { name: string; type: avro.Type }[];
    symbols?: string[];
    size?: number;
  };
  const n = (k: number) => Math.floor(r() * k);
  switch (t.typeName) {
    case 'null':
      return null;
    case 'boolean':
      return r() < 0.5;
    case 'int':
    case 'long':
      return n(2_000_001) - 1_000_000;
    case 'float':
    case 'double':
      return (r() - 0.5) * 1e6;
    case 'string':
      // Printable ASCII, now and then with a character beyond it.
      return String.fromCharCode(...Array.from({ length: n(12) }, () => (r() < 0.02 ? 0xe9 : 32 + n(95))));
    case 'bytes':
      return Buffer.from(Array.from({ length: n(12) }, () => n(256)));
    case 'fixed':
      return Buffer.from(Array.from({ length: t.size ?? 0 }, () => n(256)));
    case 'enum':
      return (t.symbols as string[])[n((t.symbols as string[]).length)];
    case 'array':
      return Array.from({ length: n(4) }, () => anyOf(t.itemsType as avro.Type, r));
    case 'map':
      return Object.fromEntries(
        Array.from({ length: n(4) }, (_, i) => [`k${i}`, anyOf(t.valuesType as avro.Type, r)]),
      );
    case 'record':
      return Object.fromEntries((t.fields ?? []).map((f) => [f.name, anyOf(f.type, r)]));
    default: {
      // An unwrapped union: a value of one of its branches.
      const branches = t.types as avro.Type[];
      return anyOf(branches[n(branches.length)], r);
    }
  }
}

function eventOf(t: avro.Type, r: () => number): Record<string, unknown> {
  const rec = t as unknown as { fields: { name: string; type: avro.Type }[] };
  return Object.fromEntries(rec.fields.map((f) => [f.name, randomValue(f.name, f.type, r)]));
}

function framed(id: number, body: Buffer): Buffer {
  const head = Buffer.alloc(AVRO_HEADER_BYTES);
  head.writeUInt32BE(id, 1);
  return Buffer.concat([head, body]);
}

describe('the Avro plan agrees with the reference', () => {
  for (const [name, schema] of Object.entries(WRITERS)) {
    it(`${name}: 3,000 random events and 3,000 mutations`, () => {
      const type = avro.Type.forSchema(schema as avro.Schema);
      const writer = compileSchema(7, JSON.stringify(schema));
      expect(writer.ok, writer.ok ? '' : writer.reason).toBe(true);
      if (!writer.ok) return;
      const r = rnd(name.length * 7919);
      let accepted = 0;
      for (let i = 0; i < 6000; i++) {
        let msg: Buffer;
        try {
          msg = framed(7, type.toBuffer(eventOf(type, r)));
        } catch {
          continue; // a value its own type refuses (e.g. null where no null is allowed)
        }
        if (i >= 3000) {
          // Mutations: a byte changed, or the message cut.
          const k = AVRO_HEADER_BYTES + Math.floor(r() * (msg.length - AVRO_HEADER_BYTES));
          if (r() < 0.5) msg[k] = Math.floor(r() * 256);
          else msg = msg.subarray(0, k);
        }
        const ref = validateAvro(msg, writer, true, RANGE);
        if (scanAvro(msg, 0, msg.length, writer.plan, RANGE.minMs, RANGE.maxMs) !== ACCEPT) continue;
        accepted++;
        expect(ref.ok, `plan accepted what the reference refuses: ${ref.ok ? '' : ref.reason}`).toBe(true);
        if (!ref.ok) continue;
        const text = (s: number, e: number) => msg.toString('latin1', s, e);
        expect({
          userId: text(scan.userStart, scan.userEnd),
          itemId: text(scan.itemStart, scan.itemEnd),
          time: scan.time,
          ...scannedFields(msg),
        }).toEqual({
          userId: ref.userId,
          itemId: ref.itemId,
          time: ref.time,
          step: ref.step,
          cents: ref.cents,
          category: ref.category,
          sessionId: ref.sessionId,
        });
      }
      expect(accepted).toBeGreaterThan(100);
    });
  }
});

const run = (values: Buffer[], avro: AvroWriter[] | undefined) =>
  decodeValues(values, { sessionGapMs: 60_000, avro });

describe('Avro through decodeBatch', () => {
  const producer = avro.Type.forSchema(JSON.parse(PRODUCER));
  const event = {
    event_id: 'e',
    session_id: 's1',
    user_id: 'u1',
    item_id: 'i1',
    category: 'shoes',
    price_usd: 19.99,
    interaction_type: 'purchase',
    timestamp: T,
  };
  const json = Buffer.from(JSON.stringify({ ...event, timestamp: new Date(T).toISOString() }));

  it('counts JSON and Avro events of one batch alike, dead-letters what cannot be read with a reason', () => {
    const unusable = { type: 'record', name: 'X', fields: [{ name: 'item_id', type: 'string' }] };
    const d = run(
      [
        json,
        framed(11, producer.toBuffer(event)),
        framed(11, producer.toBuffer({ ...event, user_id: 'u2', category: null, price_usd: null })),
        framed(12, producer.toBuffer(event)),
        framed(13, Buffer.from([2, 0x61])),
        framed(11, producer.toBuffer(event).subarray(0, 10)),
        Buffer.from([0, 0, 1]),
      ],
      [
        { id: 11, schema: PRODUCER },
        { id: 12, error: 'schema: unknown id 12' },
        { id: 13, schema: JSON.stringify(unusable) },
      ],
    );
    expect(d.valid).toBe(3);
    expect(d.itemIds).toEqual(['i1']);
    expect(d.itemCounts[0]).toBe(3);
    expect(d.userIds.sort()).toEqual(['u1', 'u2']);
    expect([...funnelSections(d.funnel, 1, d.categoryIds.length).itemCents]).toEqual([1999 * 2]);
    expect(d.purchasesWithoutPrice).toBe(1);
    expect(d.categoryIds.sort()).toEqual(['(none)', 'shoes']);
    expect([...d.invalidIndex]).toEqual([3, 4, 5, 6]);
    expect(d.invalidReasons[0]).toBe('schema: unknown id 12');
    expect(d.invalidReasons[1]).toMatch(/^schema: id 13 cannot be read as an interaction event \(.*user_id/);
    expect(d.invalidReasons[2]).toMatch(/^avro: truncated/);
    expect(d.invalidReasons[3]).toBe('avro: shorter than its 5-byte header');
  });

  it('without a registry an Avro message is bad input, never a reason to wait', () => {
    const d = run([json, framed(11, producer.toBuffer(event))], undefined);
    expect(d.valid).toBe(1);
    expect(d.invalidReasons).toEqual(['avro: no registry configured']);
  });
});
