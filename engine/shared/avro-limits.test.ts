/**
 * The work one Avro message may ask for (avro-decode.ts: items ≤ its bytes, nesting ≤
 * MAX_AVRO_DEPTH). A block count is a varint that a decoder believes: before these limits, 9 bytes
 * claiming 2^60 items kept avsc (the reference) reading past the end for hours, an array of nulls
 * held as many items as its count said, and deep nesting overflowed the plan's stack — each one
 * bad event stopping a pool thread. Each case must be a dead letter with its reason, at once.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AVRO_HEADER_BYTES, MAX_AVRO_DEPTH, scanAvro } from './avro-decode.js';
import { compileSchema, validateAvro } from './avro-reference.js';
import { decodeValues } from './decode-values.js';
import { ACCEPT, FALLBACK } from './fast-decode.js';

const RANGE = { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) };
const T = Date.UTC(2026, 10, 28, 10);

const ids = [
  { name: 'user_id', type: 'string' },
  { name: 'item_id', type: 'string' },
  { name: 'timestamp', type: 'long' },
];
const schemas = {
  nulls: {
    type: 'record',
    name: 'A',
    fields: [{ name: 'pad', type: { type: 'array', items: 'null' } }, ...ids],
  },
  tags: {
    type: 'record',
    name: 'B',
    fields: [{ name: 'tags', type: { type: 'array', items: 'string' } }, ...ids],
  },
  chain: {
    type: 'record',
    name: 'C',
    fields: [
      {
        name: 'chain',
        type: { type: 'record', name: 'Link', fields: [{ name: 'next', type: ['null', 'Link'] }] },
      },
      ...ids,
    ],
  },
};

/** Avro's zigzag varint of a (possibly huge) count. */
function varint(n: bigint): number[] {
  const out: number[] = [];
  for (let v = n >= 0n ? n * 2n : -n * 2n - 1n; ; v >>= 7n) {
    if (v < 128n) return [...out, Number(v)];
    out.push(Number(v & 127n) | 128);
  }
}

/** The ids and time of a valid event, as the three last fields of each schema write them. */
const tail = avro.Type.forSchema({ type: 'record', name: 'T', fields: ids }).toBuffer({
  user_id: 'u1',
  item_id: 'i1',
  timestamp: T,
});

function message(head: number[], id = 7): Buffer {
  const m = Buffer.concat([Buffer.alloc(AVRO_HEADER_BYTES), Buffer.from(head), tail]);
  m.writeUInt32BE(id, 1);
  return m;
}

function verdicts(schema: object, m: Buffer) {
  const writer = compileSchema(7, JSON.stringify(schema));
  if (!writer.ok) throw new Error(writer.reason);
  return {
    plan: scanAvro(m, 0, m.length, writer.plan, RANGE.minMs, RANGE.maxMs),
    reference: validateAvro(m, writer, true, RANGE),
  };
}

describe('the work of one Avro message is bounded', () => {
  it('the limits leave ordinary events alone', () => {
    expect(verdicts(schemas.nulls, message([...varint(3n), 0]))).toMatchObject({
      plan: ACCEPT,
      reference: { ok: true },
    });
    expect(verdicts(schemas.tags, message([...varint(2n), 2, 0x61, 0, 0]))).toMatchObject({
      plan: ACCEPT,
      reference: { ok: true },
    });
    const links = (n: number) => [...Array(n).fill(2), 0];
    expect(verdicts(schemas.chain, message(links(MAX_AVRO_DEPTH - 4)))).toMatchObject({
      plan: ACCEPT,
      reference: { ok: true },
    });
  });

  it('refuses more items than the message has bytes, and nesting deeper than the limit', () => {
    const items = /^avro: an array or map claims more items than its \d+ bytes can hold$/;
    // 1,000 nulls in a message of 30 bytes: valid Avro, refused by the limit.
    expect(verdicts(schemas.nulls, message([...varint(1000n), 0]))).toMatchObject({
      plan: FALLBACK,
      reference: { ok: false, reason: expect.stringMatching(items) },
    });
    // 2^24 strings claimed by 4 bytes: avsc read them all past the end before saying "truncated".
    expect(verdicts(schemas.tags, message(varint(2n ** 24n))).reference).toEqual({
      ok: false,
      reason: expect.stringMatching(items),
    });
    // A chain deeper than the limit; and one deep enough to overflow a recursive decoder's stack.
    const deep = /^avro: nested deeper than \d+ levels$/;
    for (const n of [MAX_AVRO_DEPTH + 8, 30_000])
      expect(verdicts(schemas.chain, message([...Array(n).fill(2), 0]))).toMatchObject({
        plan: FALLBACK,
        reference: { ok: false, reason: expect.stringMatching(deep) },
      });
  });

  it('answers at once for counts no decoder could read (2^60 items in 9 bytes), through decodeBatch', () => {
    const huge = [message(varint(2n ** 60n)), message([...varint(-(2n ** 60n)), ...varint(5n)])];
    for (const m of huge) expect(verdicts(schemas.tags, m).reference.ok).toBe(false);
    const values = [...huge, message([...varint(2n ** 60n), 0])];
    const d = decodeValues(values, { avro: [{ id: 7, schema: JSON.stringify(schemas.tags) }] });
    expect(d.valid).toBe(0);
    expect([...d.invalidIndex]).toEqual([0, 1, 2]);
    for (const r of d.invalidReasons) expect(r).toMatch(/^avro: an array or map claims more items/);
  });
});
