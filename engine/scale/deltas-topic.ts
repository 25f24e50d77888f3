/**
 * The deltas topic: as many partitions as the source topic (source partition p → deltas
 * partition p), messages up to DELTAS_MAX_MESSAGE_BYTES. Created by whichever of the counters
 * and the merger starts first, and grown with the source topic (a counter checks at every
 * assignment: partitions added to the source need their deltas partitions before it writes).
 */
import type Kafka from 'node-rdkafka';
import type { KafkaConnection } from '../config/kafka.js';
import { ServiceError } from '../errors/errors.js';
import { ensureTopics, growTopic } from '../setup/topics.js';
import { deltasTopic } from '../shared/indices.js';

/** Largest deltas record: a batch of 65,536 events with long ids fits. */
export const DELTAS_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export async function ensureDeltasTopic(
  conn: KafkaConnection,
  client: Kafka.KafkaConsumer,
  sourceTopic: string,
  group: string,
): Promise<void> {
  const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
    client.getMetadata({ topic: sourceTopic, timeout: 15_000 }, (e, m) => (e ? reject(e) : resolve(m))),
  );
  const t = md.topics.find((x) => x.name === sourceTopic);
  if (!t || t.partitions.length === 0)
    throw new ServiceError(
      `topic ${sourceTopic} does not exist on ${conn.kafkaBroker} (run \`ria stack up\` or create it)`,
      'RIA_ERR_NO_TOPIC',
      false,
    );
  const name = deltasTopic(sourceTopic, group);
  const created = await ensureTopics(conn, [
    {
      name,
      partitions: t.partitions.length,
      config: { 'max.message.bytes': String(DELTAS_MAX_MESSAGE_BYTES) },
    },
  ]);
  if (created.length > 0) return;
  const deltas = await new Promise<Kafka.Metadata>((resolve, reject) =>
    client.getMetadata({ topic: name, timeout: 15_000 }, (e, m) => (e ? reject(e) : resolve(m))),
  );
  const have = deltas.topics.find((x) => x.name === name)?.partitions.length ?? 0;
  if (have < t.partitions.length) {
    await growTopic(conn, name, t.partitions.length);
    process.stderr.write(`counter: ${name} grown from ${have} to ${t.partitions.length} partitions\n`);
  }
}
