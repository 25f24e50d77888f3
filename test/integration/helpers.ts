/**
 * Shared helpers of the integration tests: the real services' addresses (same settings as the
 * CLI), a unique name per test run, and a check that fails with a clear message when the stack
 * is not up (these tests never skip: a missing service is a failure).
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Kafka from 'node-rdkafka';
import { loadOptions, rdkafkaPropsFromEnv } from '../../engine/config/options.js';
import { stackOptions } from '../../engine/config/settings.js';
import { TruthBuilder, type TruthFile, truthFieldsOf } from '../../engine/producer/truth.js';
import { RegistryClient } from '../../engine/schema/registry-client.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import {
  type CompiledWriter,
  compileSchema,
  schemaIdOf,
  validateAvro,
} from '../../engine/shared/avro-reference.js';
import { validateEvent } from '../../engine/shared/event-reference.js';
import { DEFAULT_MAX_EVENT_TIME_MS, DEFAULT_MIN_EVENT_TIME_MS } from '../../engine/shared/event-rules.js';
import { produceWaiting, tryProduce } from '../../engine/source/produce-waiting.js';

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
  await connected(consumer);
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
    // A group consumer of a topic about to be deleted has been seen not to call back: 10 s at most.
    await Promise.race([
      new Promise<void>((resolve) => consumer.disconnect(() => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref()),
    ]);
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
  await connected(consumer);
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

/** Produces `count` plain-text lines (not events) round-robin over `partitions`, as fast as librdkafka takes them. */
export function produceLines(topic: string, count: number, partitions: number): Promise<void> {
  return produceMessages(topic, count, (i) => ({
    value: Buffer.from(`plain text line ${i}, not an event`),
    partition: i % partitions,
  }));
}

/** Produces message `make(i)` for i < count, in order, as fast as librdkafka takes them (null keys). */
export async function produceMessages(
  topic: string,
  count: number,
  make: (i: number) => { value: Buffer; partition: number },
): Promise<void> {
  const producer = new Kafka.Producer({
    'bootstrap.servers': services.kafkaBroker,
    'linger.ms': 20,
    'batch.num.messages': 10_000,
    'compression.codec': 'lz4',
    ...services.rdkafka,
  });
  await connected(producer);
  producer.setPollInterval(50);
  try {
    for (let i = 0; i < count; i++) {
      const { value, partition } = make(i);
      if (!tryProduce(producer, topic, partition, value, null))
        await produceWaiting(producer, topic, partition, value, null);
    }
    await new Promise<void>((resolve, reject) => producer.flush(60_000, (e) => (e ? reject(e) : resolve())));
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}

/**
 * Reads a dead-letter topic (read committed) until `expected` letters came or the deadline, and
 * says how many there were and how many named a source (partition, offset) already seen.
 */
export async function countDeadLetters(
  dlq: string,
  expected: number,
  timeoutMs = 180_000,
): Promise<{ letters: number; duplicates: number; reasons: Record<string, number> }> {
  const consumer = new Kafka.KafkaConsumer(
    {
      'bootstrap.servers': services.kafkaBroker,
      'group.id': uniqueName('ria-test-dlq'),
      'enable.auto.commit': false,
      'isolation.level': 'read_committed',
      ...services.rdkafka,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await connected(consumer);
  consumer.subscribe([dlq]);
  consumer.setDefaultConsumeTimeout(200);
  const seen = new Map<number, Set<number>>();
  const reasons: Record<string, number> = {};
  let letters = 0;
  let duplicates = 0;
  const deadline = Date.now() + timeoutMs;
  try {
    // A little past `expected`, to see letters that should not be there.
    let quietUntil = Number.POSITIVE_INFINITY;
    while (Date.now() < Math.min(deadline, quietUntil)) {
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
        consumer.consume(10_000, (e, m) => (e ? reject(e) : resolve(m))),
      );
      for (const m of batch) {
        letters++;
        const h = Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>;
        const p = Number(String(h['ria.source.partition']));
        const o = Number(String(h['ria.source.offset']));
        const reason = String(h['ria.reason']);
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        const offsets = seen.get(p) ?? new Set<number>();
        seen.set(p, offsets);
        if (offsets.has(o)) duplicates++;
        else offsets.add(o);
      }
      if (letters >= expected && quietUntil === Number.POSITIVE_INFINITY) quietUntil = Date.now() + 2000;
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return { letters, duplicates, reasons };
}

/** A TCP port free on 127.0.0.1 right now (for an engine's dashboard in a test). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The truth of everything in a topic (several producer runs), computed by reading the topic back
 * in partition order: sessions and windows that span the runs come out as the engine must see them.
 */
export async function truthOfTopic(topic: string, runs: TruthFile[], avro = false): Promise<TruthFile> {
  const messages = await messagesOf(topic, runs);
  return truthOfMessages(topic, messages, runs, avro ? await avroWritersOf(messages) : undefined);
}

/** The local registry of `ria stack up` (the tests set SCHEMA_REGISTRY_URL to it for the CLI). */
export const SCHEMA_REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/** The writer schema of every schema id among the messages, compiled; undefined: the registry does not know it. */
export async function avroWritersOf(
  messages: Kafka.Message[],
): Promise<Map<number, CompiledWriter | undefined>> {
  const client = new RegistryClient({ schemaRegistryUrl: SCHEMA_REGISTRY_URL });
  const out = new Map<number, CompiledWriter | undefined>();
  for (const m of messages) {
    const id = m.value ? schemaIdOf(m.value, 0, m.value.length) : -1;
    if (id < 0 || out.has(id)) continue;
    const schema = await client.schemaById(id);
    out.set(id, schema === undefined ? undefined : compileSchema(id, schema));
  }
  return out;
}

/** Every message the producer runs wrote to `topic`, as a consumer reads them (partition order). */
export async function messagesOf(topic: string, runs: TruthFile[]): Promise<Kafka.Message[]> {
  const n = runs.reduce((sum, t) => sum + t.events.valid + t.events.invalid, 0);
  const messages = await consumeAll(topic, n, 120_000);
  if (messages.length !== n) throw new Error(`read ${messages.length} of the ${n} messages of ${topic}`);
  return messages;
}

/**
 * The truth of these messages, in this order, with the settings of the runs' truths. Avro messages
 * (byte 0 first) are read by the reference with their writer schemas from the registry (`writers`:
 * avroWritersOf).
 */
export function truthOfMessages(
  topic: string,
  messages: Kafka.Message[],
  runs: TruthFile[],
  writers?: Map<number, CompiledWriter | undefined>,
): TruthFile {
  const [first] = runs;
  const partitions = Math.max(...runs.map((t) => t.partitions));
  const truth = new TruthBuilder(
    topic,
    partitions,
    first.window_ms,
    first.allowed_lateness_ms,
    first.session_gap_ms,
  );
  const range = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };
  for (const m of messages) {
    const v =
      m.value && m.value.length > 0 && m.value[0] === 0
        ? validateAvro(
            m.value,
            writers?.get(schemaIdOf(m.value, 0, m.value.length)),
            writers !== undefined,
            range,
          )
        : validateEvent(m.value, 'json', range);
    if (v.ok) truth.addValid(m.partition, v.userId, v.itemId, v.time, truthFieldsOf(v));
    else truth.addInvalid();
  }
  return JSON.parse(JSON.stringify(truth.result())) as TruthFile;
}

/** Connects a test client (10 s at most). */
function connected(client: Kafka.KafkaConsumer | Kafka.Producer): Promise<void> {
  return new Promise((resolve, reject) =>
    (client as Kafka.Producer).connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())),
  );
}

/** Deletes topics (those missing are fine): the changelog topics are shared by every engine of the stack. */
export async function deleteTopics(topics: readonly string[]): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': services.kafkaBroker, ...services.rdkafka });
  try {
    for (const t of topics)
      await new Promise<void>((resolve, reject) =>
        admin.deleteTopic(t, 15_000, (e) =>
          !e || e.code === Kafka.CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART ? resolve() : reject(e),
        ),
      );
  } finally {
    admin.disconnect();
  }
  // Deletion is asynchronous in the broker: wait until no metadata lists them (a topic created
  // before that is the old one, deleted under the writer).
  const probe = new Kafka.Producer({ 'bootstrap.servers': services.kafkaBroker, ...services.rdkafka });
  await connected(probe);
  try {
    for (let i = 0; i < 150; i++) {
      const meta = await new Promise<Kafka.Metadata>((resolve, reject) =>
        probe.getMetadata({ timeout: 5000 }, (e, m) => (e ? reject(e) : resolve(m))),
      );
      if (!meta.topics.some((t) => topics.includes(t.name))) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`topics ${topics.join(', ')} still listed 30 s after their deletion`);
  } finally {
    await new Promise<void>((resolve) => probe.disconnect(() => resolve()));
  }
}
