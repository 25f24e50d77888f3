/**
 * The last committed record of each given deltas-topic partition: where a counter that is handed
 * a source partition resumes (next offset) and with which maximum event time (for lateness).
 * Read with isolation.level=read_committed, so an open transaction of a counter that died is
 * not seen (it is aborted when it times out; the resumed counter writes after it).
 */
import Kafka from 'node-rdkafka';
import { type KafkaConnection, kafkaClientConfig } from '../config/kafka.js';
import { ServiceError } from '../errors/errors.js';
import { endOffset } from '../source/end-offset.js';
import { consumeBatch, segmentViews, valueStart } from '../source/rdkafka-batch.js';
import { type DeltaRecord, decodeDeltaRecord } from './delta-record.js';

const TIMEOUT_MS = 15_000;
/** How far back from the end to look first; four times further while only aborted or control records are found. */
const FIRST_LOOK_BACK = 32;

export async function lastRecords(
  conn: KafkaConnection,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, { record: DeltaRecord; offset: number }>> {
  const consumer = new Kafka.KafkaConsumer(
    kafkaClientConfig(conn, 'ria-counter-resume', {
      'group.id': 'ria-counter-resume',
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'isolation.level': 'read_committed',
    }),
    {},
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: TIMEOUT_MS }, (e) => (e ? reject(e) : resolve())),
  );
  const found = new Map<number, { record: DeltaRecord; offset: number }>();
  try {
    const high = new Map<number, number>();
    for (const p of partitions) high.set(p, await endOffset(consumer, topic, p));
    let lookBack = FIRST_LOOK_BACK;
    let todo = partitions.filter((p) => (high.get(p) ?? 0) > 0);
    while (todo.length > 0) {
      const starts = new Map(todo.map((p) => [p, Math.max(0, (high.get(p) ?? 0) - lookBack)]));
      consumer.assign(todo.map((p) => ({ topic, partition: p, offset: starts.get(p) ?? 0 })));
      const open = new Set(todo);
      const deadline = Date.now() + 2 * TIMEOUT_MS;
      while (open.size > 0) {
        if (Date.now() > deadline)
          throw new ServiceError(
            `cannot read the end of ${topic} (partitions ${[...open].join(', ')})`,
            'RIA_ERR_KAFKA_RESUME',
            true,
          );
        const { segments, eofs } = await consumeBatch(consumer, 200, 10_000);
        for (const s of segments) {
          const { ends, offsetDelta } = segmentViews(s);
          const last = s.count - 1;
          if (ends[last] < 0) continue;
          const start = valueStart(ends, last);
          found.set(s.partition, {
            record: decodeDeltaRecord(new Uint8Array(s.values, start, ends[last] - start)),
            offset: s.firstOffset + offsetDelta[last],
          });
        }
        for (const e of eofs) open.delete(e.partition);
      }
      consumer.unassign();
      // Nothing committed in the last lookBack offsets (aborted transactions): look further back.
      todo = todo.filter((p) => !found.has(p) && (starts.get(p) ?? 0) > 0);
      lookBack *= 4;
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return found;
}
