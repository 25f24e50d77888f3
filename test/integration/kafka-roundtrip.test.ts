/** A produce → consume round trip through node-rdkafka against the real local broker. */
import Kafka from 'node-rdkafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { KeyArena, MessageChunk } from '../../engine/producer/message-chunk.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { consumeBatch, type Segment, segmentKey, segmentViews } from '../../engine/source/rdkafka-batch.js';
import { consumeAll, requireServices, services, uniqueName } from './helpers.js';

describe('Kafka round trip (real broker)', () => {
  beforeAll(requireServices);

  it('delivers every produced message once, keyed and in order per partition', async () => {
    const topic = uniqueName('ria-roundtrip');
    expect(await ensureTopics(services, [{ name: topic, partitions: 3 }])).toEqual([topic]);
    // A second call is a no-op.
    expect(await ensureTopics(services, [{ name: topic, partitions: 3 }])).toEqual([]);

    const producer = new Kafka.Producer({
      'bootstrap.servers': services.kafkaBroker,
      dr_cb: true,
      'enable.idempotence': true,
      ...services.rdkafka,
    });
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
    );
    const n = 1000;
    let delivered = 0;
    let failed = 0;
    producer.on('delivery-report', (err) => (err ? failed++ : delivered++));
    producer.setPollInterval(10);
    for (let i = 0; i < n; i++) {
      const key = `user-${i % 17}`;
      producer.produce(topic, null, Buffer.from(JSON.stringify({ seq: i, user_id: key })), key);
    }
    await new Promise<void>((resolve, reject) => producer.flush(20_000, (e) => (e ? reject(e) : resolve())));
    const deadline = Date.now() + 10_000;
    while (delivered + failed < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
    expect({ delivered, failed }).toEqual({ delivered: n, failed: 0 });

    const messages = await consumeAll(topic, n);
    expect(messages.length).toBe(n);
    const seqs = messages.map((m) => JSON.parse(m.value!.toString()).seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i));
    // Same key → same partition, and offsets within a partition follow send order.
    const partitionOfKey = new Map<string, number>();
    const lastSeq = new Map<number, number>();
    for (const m of messages) {
      const key = m.key!.toString();
      expect(partitionOfKey.get(key) ?? m.partition).toBe(m.partition);
      partitionOfKey.set(key, m.partition);
      const seq = JSON.parse(m.value!.toString()).seq as number;
      expect(seq).toBeGreaterThan(lastSeq.get(m.partition) ?? -1);
      lastSeq.set(m.partition, seq);
    }
  });

  it('our batch calls: produceBatch then consumeBatch give back every value, key and offset', async () => {
    const topic = uniqueName('ria-batchcalls');
    await ensureTopics(services, [{ name: topic, partitions: 3 }]);
    const producer = new Kafka.Producer({
      'bootstrap.servers': services.kafkaBroker,
      dr_cb: true,
      'enable.idempotence': true,
      // A small local queue, so the chunk meets ERR__QUEUE_FULL and must resume where it stopped.
      'queue.buffering.max.messages': 500,
      ...services.rdkafka,
    });
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
    );
    let delivered = 0;
    producer.on('delivery-report', (err) => {
      if (!err) delivered++;
    });
    producer.setPollInterval(10);
    const keys = Array.from({ length: 17 }, (_, i) => `user-${i}-é`); // non-ASCII keys too
    const chunk = new MessageChunk(3000, new KeyArena(keys));
    const n = 3000;
    const sent: { partition: number; value: string; key: string }[] = [];
    for (let i = 0; i < n; i++) {
      const value = i % 500 === 7 ? '' : JSON.stringify({ seq: i, pad: 'x'.repeat(i % 300) });
      chunk.writer.bytes(Buffer.from(value));
      chunk.commit(i % 3, i % 17);
      sent.push({ partition: i % 3, value, key: keys[i % 17] });
    }
    await chunk.send(producer, topic);
    expect(chunk.count).toBe(0);
    await new Promise<void>((resolve, reject) => producer.flush(20_000, (e) => (e ? reject(e) : resolve())));
    const deadline = Date.now() + 10_000;
    while (delivered < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
    expect(delivered).toBe(n);

    const consumer = new Kafka.KafkaConsumer(
      {
        'bootstrap.servers': services.kafkaBroker,
        'group.id': topic,
        'enable.partition.eof': true,
        ...services.rdkafka,
      },
      {},
    );
    await new Promise<void>((resolve, reject) =>
      consumer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
    );
    consumer.assign([0, 1, 2].map((partition) => ({ topic, partition, offset: 0 })));
    const got = new Map<number, { offset: number; value: string; key: string | null }[]>();
    const ends = new Map<number, number>();
    const until = Date.now() + 30_000;
    while (ends.size < 3 && Date.now() < until) {
      const { segments, eofs } = await consumeBatch(consumer, 100, 700);
      for (const s of segments) {
        expect(s.count).toBeGreaterThan(0);
        const v = segmentViews(s);
        const bytes = Buffer.from(s.values);
        let start = 0;
        const list = got.get(s.partition) ?? [];
        for (let i = 0; i < s.count; i++) {
          const end = v.ends[i];
          list.push({
            offset: s.firstOffset + v.offsetDelta[i],
            value: end < 0 ? '<null>' : bytes.subarray(start, end).toString(),
            key: segmentKey(s as Segment, v.keyEnds, i)?.toString() ?? null,
          });
          if (end >= 0) start = end;
        }
        expect(list.at(-1)!.offset).toBe(s.lastOffset);
        got.set(s.partition, list);
      }
      for (const e of eofs)
        if (e.offset === (got.get(e.partition)?.length ?? 0)) ends.set(e.partition, e.offset);
    }
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
    for (const p of [0, 1, 2]) {
      const want = sent.filter((m) => m.partition === p);
      const list = got.get(p) ?? [];
      expect(ends.get(p)).toBe(want.length);
      expect(list.map((m) => m.offset)).toEqual(want.map((_, i) => i));
      // An empty value is a zero-length value, not a null one.
      expect(list.map((m) => m.value)).toEqual(want.map((m) => m.value));
      expect(list.map((m) => m.key)).toEqual(want.map((m) => m.key));
    }
  });

  // consume(n)'s rule — wait the time-out for every message — made a call at a steady rate last
  // until a gap of the whole time-out between messages: with one every 10 ms it never came, and
  // the call returned only at `max`. Counted, not timed: the first call must come back with what
  // was there long before the producer is done.
  it('consumeBatch returns once it drained what librdkafka holds, not at `max` while messages keep coming', async () => {
    const topic = uniqueName('ria-batchreturn');
    await ensureTopics(services, [{ name: topic, partitions: 1 }]);
    const producer = new Kafka.Producer({
      'bootstrap.servers': services.kafkaBroker,
      'linger.ms': 0,
      ...services.rdkafka,
    });
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
    );
    const consumer = new Kafka.KafkaConsumer(
      {
        'bootstrap.servers': services.kafkaBroker,
        'group.id': topic,
        'enable.partition.eof': true,
        // Fetches answered as soon as a message is there: each holds one, so none comes back
        // empty and librdkafka sends no end-of-partition marker (which did end a call early).
        'fetch.min.bytes': 1,
        ...services.rdkafka,
      },
      {},
    );
    await new Promise<void>((resolve, reject) =>
      consumer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
    );
    consumer.assign([{ topic, partition: 0, offset: 0 }]);
    const total = 600;
    let produced = 0;
    const ticker = setInterval(() => {
      if (produced < total) producer.produce(topic, 0, Buffer.from(`m-${produced++}`));
    }, 10);
    try {
      // Wait for the first message, then take: a call must not run on until `max` (all 600).
      let first = 0;
      for (let i = 0; i < 100 && first === 0; i++) {
        const { segments } = await consumeBatch(consumer, 100, total);
        first = segments.reduce((a, x) => a + x.count, 0);
      }
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThan(total / 2);
      expect(produced).toBeLessThan(total);
    } finally {
      clearInterval(ticker);
      await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
      await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
    }
  });
});
