/** A produce → consume round trip through node-rdkafka against the real local broker. */
import Kafka from 'node-rdkafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../engine/setup/topics.js';
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
});
