/**
 * A counter resuming its partitions reads each one's last committed record (scale/last-records.ts).
 * A deltas partition whose last two messages are a null value and then a record (a tombstone, a
 * stray producer) once made it compute the record's start from the null value's end (-1): a
 * RangeError on every assignment. Real Kafka, a real record.
 */
import Kafka from 'node-rdkafka';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDeltaRecord } from '../../engine/scale/delta-record.js';
import { lastRecords } from '../../engine/scale/last-records.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { requireServices, services, uniqueName } from './helpers.js';

async function produce(topic: string, values: (Buffer | null)[]): Promise<void> {
  const producer = new Kafka.Producer({ 'bootstrap.servers': services.kafkaBroker, ...services.rdkafka });
  await new Promise<void>((resolve, reject) => producer.connect({}, (e) => (e ? reject(e) : resolve())));
  try {
    for (const v of values) producer.produce(topic, 0, v, null);
    await new Promise<void>((resolve, reject) => producer.flush(30_000, (e) => (e ? reject(e) : resolve())));
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}

describe('lastRecords (real Kafka)', () => {
  beforeAll(requireServices);

  it('finds the last record after null values in the same batch', async () => {
    const topic = uniqueName('ria-last-records');
    await ensureTopics(services, [{ name: topic, partitions: 1 }]);
    const record = (next: number) =>
      encodeDeltaRecord({
        partition: 0,
        from: 0,
        next,
        partitionMax: 1000,
        idle: false,
        invalid: 0,
        deltas: [],
      });
    await produce(topic, [record(10), null, null, record(20)]);
    const found = await lastRecords(services, topic, [0]);
    expect(found.get(0)?.record.next).toBe(20);
    expect(found.get(0)?.offset).toBe(3);
  });
});
