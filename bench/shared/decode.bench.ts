/**
 * Decode + validate one event: the byte scanner the pool uses, beside the reference validator
 * (TextDecoder + JSON.parse + rules) and a plain JSON.parse + Date.parse; the same events as Avro
 * (the plan the pool uses, beside avsc with schema resolution + rules) and as msgpack (unpack +
 * rules); and a whole batch of 1,024 decoded and counted per id (what a pool worker does:
 * decodeBatch), JSON and Avro, beside JSON.parse with Map counts. Batch figures are per event.
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { pack } from 'msgpackr';

import { Bench } from 'tinybench';
import { scanAvro } from '../../engine/shared/avro-decode.js';
import { compileSchema, validateAvro } from '../../engine/shared/avro-reference.js';
import { decodeBatch } from '../../engine/shared/batch-decode.js';
import { validateEvent } from '../../engine/shared/event-reference.js';
import { ACCEPT, scanEvent } from '../../engine/shared/fast-decode.js';
import { taskOf } from '../../engine/source/batch-packer.js';
import { segmentOf } from '../../engine/source/rdkafka-batch.js';

const BATCH = 1024;

export async function decodeBench(quick: boolean) {
  const events = Array.from({ length: 1024 }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        event_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        session_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        user_id: `user-${(i * 7919) % 10000}`,
        item_id: `SKU-${(i * 31) % 2000}`,
        category: 'electronics',
        price_usd: 19.9,
        interaction_type: 'view',
        timestamp: new Date(Date.UTC(2026, 10, 28) + i * 3).toISOString(),
      }),
    ),
  );
  const range = { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) };
  // The same events in the producer's Avro schema (Confluent wire format, schema id 1) and msgpack.
  const schema = readFileSync(
    new URL('../../../engine/schema/interaction-event.avsc', import.meta.url),
    'utf8',
  );
  const type = avro.Type.forSchema(JSON.parse(schema));
  const writer = compileSchema(1, schema);
  if (!writer.ok) throw new Error(writer.reason);
  const objects = events.map((b) => JSON.parse(b.toString()) as Record<string, unknown>);
  const avroEvents = objects.map((o) =>
    Buffer.concat([
      Buffer.from([0, 0, 0, 0, 1]),
      type.toBuffer({ ...o, timestamp: Date.parse(String(o.timestamp)) }),
    ]),
  );
  const msgpackEvents = objects.map((o) => pack(o));
  let i = 0;
  let sink = 0;
  const bench = new Bench({ time: quick ? 300 : 1500 });
  bench
    .add('byte scanner (current)', () => {
      const b = events[i++ & 1023];
      if (scanEvent(b, 0, b.length, range.minMs, range.maxMs) === ACCEPT) sink++;
    })
    .add('reference: TextDecoder + JSON.parse + rules', () => {
      if (validateEvent(events[i++ & 1023], 'json', range).ok) sink++;
    })
    .add('JSON.parse(toString()) + Date.parse, no checks', () => {
      const o = JSON.parse(events[i++ & 1023].toString());
      sink += Date.parse(o.timestamp) > 0 ? 1 : 0;
    })
    .add('Avro: plan per writer schema (current)', () => {
      const b = avroEvents[i++ & 1023];
      if (scanAvro(b, 0, b.length, writer.plan, range.minMs, range.maxMs) === ACCEPT) sink++;
    })
    .add('Avro reference: avsc with resolution + rules', () => {
      if (validateAvro(avroEvents[i++ & 1023], writer, true, range).ok) sink++;
    })
    .add('msgpack reference: unpack + rules', () => {
      if (validateEvent(msgpackEvents[i++ & 1023], 'msgpack', range).ok) sink++;
    });
  const segment = segmentOf(
    0,
    0,
    events.map((value) => ({ value })),
  );
  const settings = {
    windowMs: 1000,
    allowedLatenessMs: 2000,
    sessionGapMs: 1_800_000,
    format: 'json' as const,
    range,
    sampleEvery: 64,
    maxAheadMs: Number.POSITIVE_INFINITY,
  };
  const task = taskOf(segment, Number.NEGATIVE_INFINITY, settings);
  const avroTask = taskOf(
    segmentOf(
      0,
      0,
      avroEvents.map((value) => ({ value })),
    ),
    Number.NEGATIVE_INFINITY,
    settings,
    [{ id: 1, schema }],
  );
  bench
    .add(`batch of ${BATCH}: decode + count per id (decodeBatch, current)`, () => {
      sink += decodeBatch(task).valid;
    })
    .add(`batch of ${BATCH} Avro: decode + count per id (decodeBatch, current)`, () => {
      sink += decodeBatch(avroTask).valid;
    })
    .add(`batch of ${BATCH}: JSON.parse + Maps per item, window, user`, () => {
      const items = new Map<string, number>();
      const windows = new Map<string, number>();
      const users = new Map<string, number>();
      for (const b of events) {
        const o = JSON.parse(b.toString());
        const t = Date.parse(o.timestamp);
        if (typeof o.user_id !== 'string' || typeof o.item_id !== 'string' || !(t > 0)) continue;
        items.set(o.item_id, (items.get(o.item_id) ?? 0) + 1);
        const w = `${o.item_id}@${Math.floor(t / 1000)}`;
        windows.set(w, (windows.get(w) ?? 0) + 1);
        users.set(o.user_id, (users.get(o.user_id) ?? 0) + 1);
      }
      sink += items.size;
    });
  await bench.run();
  if (sink < 0) console.log(sink);
  return bench.tasks.map((t) => {
    const per = t.name.startsWith('batch of') ? BATCH : 1;
    return {
      name: per > 1 ? `${t.name} (per event)` : t.name,
      nsPerOp: ((t.result as { latency: { p50: number } }).latency.p50 * 1e6) / per,
      opsPerSec: (t.result as { throughput: { mean: number } }).throughput.mean * per,
    };
  });
}
