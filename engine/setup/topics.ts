/** Creates topics and grows their partition count (idempotent), through librdkafka's admin API. */
import Kafka from 'node-rdkafka';
import { type KafkaConnection, kafkaClientConfig } from '../config/kafka.js';
import { ServiceError } from '../errors/errors.js';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic-level settings (e.g. max.message.bytes). */
  config?: Record<string, string>;
}

const ADMIN_TIMEOUT_MS = 15_000;

/** Returns the names of the topics it created (those that already existed are left as they are). */
export async function ensureTopics(conn: KafkaConnection, topics: readonly TopicSpec[]): Promise<string[]> {
  const broker = conn.kafkaBroker;
  const admin = Kafka.AdminClient.create(kafkaClientConfig(conn, 'ria-setup', {}));
  const created: string[] = [];
  try {
    for (const t of topics) {
      const ok = await new Promise<boolean>((resolve, reject) => {
        // replication_factor -1: the broker's default (1 on the local stack, the cluster's elsewhere).
        admin.createTopic(
          { topic: t.name, num_partitions: t.partitions, replication_factor: -1, config: t.config ?? {} },
          ADMIN_TIMEOUT_MS,
          (err) => {
            if (!err) return resolve(true);
            if (err.code === Kafka.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) return resolve(false);
            reject(
              new ServiceError(
                `cannot create Kafka topic ${t.name} on ${broker}: ${err.message}`,
                'RIA_ERR_KAFKA_ADMIN',
                true,
                err,
              ),
            );
          },
        );
      });
      if (ok) created.push(t.name);
    }
  } finally {
    admin.disconnect();
  }
  return created;
}

/** Grows `name` to `partitions` partitions (no-op when it has that many already, or more). */
export async function growTopic(conn: KafkaConnection, name: string, partitions: number): Promise<void> {
  const admin = Kafka.AdminClient.create(kafkaClientConfig(conn, 'ria-setup', {}));
  try {
    await new Promise<void>((resolve, reject) =>
      admin.createPartitions(name, partitions, ADMIN_TIMEOUT_MS, (err) => {
        // INVALID_PARTITIONS: it has that many already (another process grew it first).
        if (!err || err.code === Kafka.CODES.ERRORS.ERR_INVALID_PARTITIONS) return resolve();
        reject(
          new ServiceError(
            `cannot grow Kafka topic ${name} to ${partitions} partitions: ${err.message}`,
            'RIA_ERR_KAFKA_ADMIN',
            true,
            err,
          ),
        );
      }),
    );
  } finally {
    admin.disconnect();
  }
}
