/**
 * Shared helpers of the integration tests: the real services' addresses (same settings as the
 * CLI), a unique name per test run, and a check that fails with a clear message when the stack
 * is not up (these tests never skip: a missing service is a failure).
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Kafka from 'node-rdkafka';
import { loadOptions, rdkafkaPropsFromEnv } from '../../engine/config/options.js';
import { stackOptions } from '../../engine/config/settings.js';
import { ensureTopics } from '../../engine/setup/topics.js';

export const services = (() => {
  const { config } = loadOptions(stackOptions, [], process.env);
  return { ...config, rdkafka: { ...rdkafkaPropsFromEnv(process.env), ...config.rdkafka } };
})();

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A fresh topic (and its dead-letter topic) for one test, with where its truth and checkpoint go. */
export async function newTopic(
  prefix: string,
  partitions = 6,
): Promise<{ topic: string; truth: string; checkpoint: string }> {
  const topic = uniqueName(prefix);
  await ensureTopics(services, [
    { name: topic, partitions },
    { name: `${topic}.dlq`, partitions: 1 },
  ]);
  return {
    topic,
    truth: join(tmpdir(), `${topic}.truth.json`),
    checkpoint: join(tmpdir(), `${topic}.checkpoint`),
  };
}

function tcpOpen(hostPort: string): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const s = createConnection({ host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) });
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function requireServices(): Promise<void> {
  const broker = services.kafkaBroker.split(',')[0];
  const esHost = new URL(services.elasticsearchHost).host;
  const missing: string[] = [];
  if (!(await tcpOpen(broker))) missing.push(`Kafka at ${broker}`);
  if (!(await tcpOpen(esHost.includes(':') ? esHost : `${esHost}:80`)))
    missing.push(`Elasticsearch at ${services.elasticsearchHost}`);
  if (missing.length) {
    throw new Error(`integration tests need ${missing.join(' and ')}: run \`npx ria stack up\` first`);
  }
}

/** Reads every committed message of `topic` from the beginning until `expected` have arrived (or the deadline). */
export async function consumeAll(
  topic: string,
  expected: number,
  timeoutMs = 60_000,
): Promise<Kafka.Message[]> {
  const consumer = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': services.kafkaBroker,
      'group.id': uniqueName('ria-test'),
      'enable.auto.commit': false,
      // Messages of aborted Kafka transactions (a scaled-out counter that died) are not there.
      'isolation.level': 'read_committed',
      ...services.rdkafka,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
  );
  consumer.subscribe([topic]);
  consumer.setDefaultConsumeTimeout(200);
  const out: Kafka.Message[] = [];
  const deadline = Date.now() + timeoutMs;
  try {
    while (out.length < expected && Date.now() < deadline) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
        consumer.consume(1000, (e, m) => (e ? reject(e) : resolve(m))),
      );
      out.push(...batch);
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return out;
}

/** The offsets a consumer group has committed on each partition of `topic` (-1001: none yet → 0). */
export async function committedOffsets(
  group: string,
  topic: string,
  partitions: number,
  conn: { kafkaBroker: string; rdkafka: Record<string, string> } = services,
): Promise<number[]> {
  const consumer = new Kafka.KafkaConsumer(
    { 'bootstrap.servers': conn.kafkaBroker, 'group.id': group, ...conn.rdkafka },
    {},
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
  );
  try {
    const list = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const got = await new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
      consumer.committed(list, 10_000, (e, tp) => (e ? reject(e) : resolve(tp))),
    );
    return got
      .sort((a, b) => a.partition - b.partition)
      .map((tp) => (typeof tp.offset === 'number' && tp.offset >= 0 ? tp.offset : 0));
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}
