/**
 * `ria produce`: synthetic shop traffic into Kafka at a steady rate, with its ground truth.
 *
 * Per event: one session step and one write straight into the chunk that one native call per chunk
 * hands to librdkafka (produceBatch: no JS object per message). The partition is chosen here
 * (Kafka's murmur2 of the key) so the ground truth sees each partition's order as Kafka will store
 * it; the idempotent producer keeps that order through retries. Delivery reports are counted; a message librdkafka finally
 * fails to deliver is reported, counted, and makes the run (and its truth file) fail.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import avro from 'avsc';
import Kafka from 'node-rdkafka';
import { connectKafka, kafkaClientConfig } from '../config/kafka.js';
import type { ConfigOf } from '../config/options.js';
import type { producerOptions } from '../config/producer-settings.js';
import { ConfigError, ServiceError } from '../errors/errors.js';
import { RegistryClient } from '../schema/registry-client.js';
import { ensureTopics } from '../setup/topics.js';
import { parseIsoTimestamp } from '../shared/event-rules.js';
import { dlqTopic } from '../shared/indices.js';
import { packageRoot } from '../shared/package-root.js';
import { Catalog } from './catalog.js';
import { type AvroOutput, EventMaker } from './event-maker.js';
import { KeyArena, MessageChunk } from './message-chunk.js';
import { partitionForKey } from './partitioner.js';
import { Random } from './random.js';
import { SessionSimulator } from './sessions.js';
import { TokenBucket } from './token-bucket.js';
import { TruthBuilder, writeTruthFile } from './truth.js';
import { ZipfSampler } from './zipf.js';

export type ProducerConfig = ConfigOf<typeof producerOptions>;

export interface ProduceSummary {
  sent: number;
  valid: number;
  invalid: number;
  late: number;
  delivered: number;
  failed: number;
  bytes: number;
  seconds: number;
  eventsPerSecond: number;
  mbPerSecond: number;
  partitions: number;
  firstErrors: string[];
}

const CONNECT_TIMEOUT_MS = 15_000;
/** Time for failure reports already queued to reach their handler after the final flush. */
const POLL_SETTLE_MS = 200;
const FLUSH_MARGIN_MS = 30_000;

/** librdkafka's message.timeout.ms in the client's configuration (its default is 300000). */
function messageTimeoutMs(conf: Record<string, string | number | boolean>): number {
  const v = Number(conf['message.timeout.ms'] ?? conf['delivery.timeout.ms'] ?? 300_000);
  return Number.isFinite(v) && v > 0 ? v : 300_000;
}

function startTimeOf(text: string): number {
  const t = /^\d+$/.test(text) ? Number(text) : parseIsoTimestamp(text);
  if (!Number.isFinite(t))
    throw new ConfigError(
      `invalid setting --start-time: expected ISO-8601 with a zone or epoch ms, got "${text}"`,
    );
  return t;
}

function partitionCount(producer: Kafka.Producer, topic: string): Promise<number | undefined> {
  return new Promise((resolve, reject) =>
    producer.getMetadata({ topic, timeout: CONNECT_TIMEOUT_MS }, (err, md) => {
      if (err)
        return reject(
          new ServiceError(
            `cannot read metadata of topic ${topic}: ${err.message}`,
            'RIA_ERR_KAFKA_METADATA',
            true,
            err,
          ),
        );
      const t = md.topics.find((x) => x.name === topic);
      resolve(t && t.partitions.length > 0 ? t.partitions.length : undefined);
    }),
  );
}

/** The producer's librdkafka configuration: our throughput settings, then the user's pass-through. */
export function producerClientConfig(cfg: ProducerConfig): Record<string, string | number | boolean> {
  return kafkaClientConfig(cfg, 'ria-producer', {
    // Reports for failed messages only: a report per delivered message costs a JS event each,
    // more than making the event. After a successful flush, delivered = sent - failed.
    dr_cb: true,
    'delivery.report.only.error': true,
    'enable.idempotence': true,
    // Unthrottled runs batch longer (fewer, larger requests: measured faster on 2 cores); a
    // steady rate keeps the event-to-broker delay short.
    'linger.ms': cfg.rate === 0 || cfg.rate > 50_000 ? 20 : 5,
    'batch.num.messages': 10_000,
    'batch.size': 1_000_000,
    'compression.codec': 'lz4',
    'queue.buffering.max.messages': 1_000_000,
    'queue.buffering.max.kbytes': 1_048_576,
  });
}

/** The shop, its sessions and the event maker the settings describe (same seed, same events). */
export function trafficOf(
  cfg: ProducerConfig,
  avroOut?: AvroOutput,
): { catalog: Catalog; maker: EventMaker } {
  const catalog = new Catalog(cfg.users, cfg.items, cfg.seed);
  const rng = new Random(`${cfg.seed}/traffic`);
  const sessions = new SessionSimulator(
    catalog,
    new ZipfSampler(cfg.items, cfg.zipfExponent),
    { click: cfg.pClick, addToCart: cfg.pCart, purchase: cfg.pPurchase, nextItem: cfg.pNextItem },
    rng,
    cfg.sessions,
    cfg.thinkTimeMs,
  );
  const maker = new EventMaker(catalog, sessions, rng, {
    format: cfg.format,
    avro: avroOut,
    timestampFormat: cfg.timestampFormat,
    mix: { outOfOrder: cfg.outOfOrderShare, late: cfg.lateShare, invalid: cfg.invalidShare },
    allowedLatenessMs: cfg.allowedLatenessMs,
    windowMs: cfg.windowMs,
  });
  return { catalog, maker };
}

/**
 * The event schema (engine/schema/interaction-event.avsc, or AVRO_SCHEMA_FILE) registered under
 * `<topic>-value` with BACKWARD compatibility; its id goes into every message.
 */
async function registerEventSchema(cfg: ProducerConfig): Promise<AvroOutput> {
  if (!cfg.schemaRegistryUrl)
    throw new ConfigError(
      'invalid settings: EVENT_FORMAT=avro needs SCHEMA_REGISTRY_URL (the registry the schema is registered in)',
    );
  const client = new RegistryClient({ ...cfg, schemaRegistryUrl: cfg.schemaRegistryUrl });
  const subject = `${cfg.kafkaTopic}-value`;
  const path = cfg.avroSchema ?? join(packageRoot(), 'engine', 'schema', 'interaction-event.avsc');
  let schema: string;
  try {
    schema = readFileSync(path, 'utf8');
    avro.Type.forSchema(JSON.parse(schema));
  } catch (e) {
    throw new ConfigError(`invalid setting AVRO_SCHEMA_FILE: ${path}: ${(e as Error).message}`);
  }
  await client.setCompatibility(subject, 'BACKWARD');
  const id = await client.register(subject, JSON.stringify(JSON.parse(schema)));
  return { id, type: avro.Type.forSchema(JSON.parse(schema)) };
}

export async function produce(
  cfg: ProducerConfig,
  opts: {
    onProgress?: (s: { sent: number; failed: number; elapsed: number }) => void;
    signal?: AbortSignal;
  } = {},
): Promise<ProduceSummary> {
  if (cfg.count === undefined && cfg.duration === undefined && cfg.rate === 0) {
    throw new ConfigError(
      'invalid settings: --rate 0 (as fast as possible) needs --count or --duration to stop',
    );
  }
  const startTime = cfg.startTime === undefined ? undefined : startTimeOf(cfg.startTime);
  const conf = producerClientConfig(cfg);
  const producer = new Kafka.Producer(conf);
  let failed = 0;
  const firstErrors: string[] = [];
  producer.on('delivery-report', (err) => {
    if (err) {
      failed++;
      if (firstErrors.length < 5) firstErrors.push(err.message);
    }
  });
  producer.on('event.error', (err) => {
    if (firstErrors.length < 5) firstErrors.push(`client error: ${err.message}`);
  });
  await connectKafka(producer, cfg.kafkaBroker, 'producer');
  try {
    let partitions = await partitionCount(producer, cfg.kafkaTopic);
    if (partitions === undefined) {
      await ensureTopics(cfg, [
        { name: cfg.kafkaTopic, partitions: cfg.topicPartitions },
        { name: dlqTopic(cfg.kafkaTopic), partitions: 1 },
      ]);
      partitions = cfg.topicPartitions;
    }
    producer.setPollInterval(50);

    const { catalog, maker } = trafficOf(
      cfg,
      cfg.format === 'avro' ? await registerEventSchema(cfg) : undefined,
    );
    const truth = new TruthBuilder(
      cfg.kafkaTopic,
      partitions,
      cfg.windowMs,
      cfg.allowedLatenessMs,
      cfg.sessionGapMs,
    );
    truth.registerIds(catalog.userIds, catalog.itemIds);
    const userPartition = new Int32Array(cfg.users).fill(-1);
    const chunk = new MessageChunk(Math.max(cfg.batch, 5000), new KeyArena(catalog.userIds));

    const limit = cfg.count ?? Number.POSITIVE_INFINITY;
    const t0 = performance.now();
    const wallStart = Date.now();
    const endAt = cfg.duration === undefined ? Number.POSITIVE_INFINITY : t0 + cfg.duration * 1000;
    const bucket = cfg.rate > 0 ? new TokenBucket(cfg.rate, cfg.batch, t0) : undefined;
    const virtualStep = 1000 / (cfg.rate > 0 ? cfg.rate : 10_000);
    let sent = 0;
    let bytes = 0;
    let lastProgress = t0;

    while (sent < limit && !opts.signal?.aborted) {
      const now = performance.now();
      if (now >= endAt) break;
      if (now - lastProgress >= 500) {
        opts.onProgress?.({ sent, failed, elapsed: (now - t0) / 1000 });
        lastProgress = now;
      }
      let n = bucket ? bucket.take(Math.min(cfg.batch, limit - sent), now) : Math.min(5000, limit - sent);
      if (n === 0) {
        await sleep(Math.max(1, bucket!.msUntilNext()));
        continue;
      }
      const wallNow = wallStart + (now - t0);
      while (n-- > 0) {
        const eventTime = startTime === undefined ? wallNow : startTime + Math.floor(sent * virtualStep);
        const ev = maker.make(eventTime, chunk.writer);
        let p = userPartition[ev.user];
        if (p < 0) p = userPartition[ev.user] = partitionForKey(ev.key, partitions);
        chunk.commit(p, ev.user);
        if (chunk.full) await chunk.send(producer, cfg.kafkaTopic);
        if (ev.valid) truth.addValidByIndex(p, ev.user, ev.item, ev.time, ev.fields);
        else truth.addInvalid();
        sent++;
        bytes += ev.length;
      }
      await chunk.send(producer, cfg.kafkaTopic);
      // At full speed, give delivery reports and timers a turn every chunk.
      if (!bucket) await new Promise((r) => setImmediate(r));
    }

    // Every queued message is delivered or fails within librdkafka's message.timeout.ms (a broker
    // restart can hold messages back for a while), so the flush may wait that long and a little more.
    const flushMs = messageTimeoutMs(conf) + FLUSH_MARGIN_MS;
    await new Promise<void>((resolve, reject) =>
      producer.flush(flushMs, (err) =>
        err
          ? reject(new ServiceError(`flush failed: ${err.message}`, 'RIA_ERR_KAFKA_FLUSH', true, err))
          : resolve(),
      ),
    );
    // The queue is empty now: every message is delivered or its failure report is waiting to be polled.
    producer.poll();
    await sleep(POLL_SETTLE_MS);
    const seconds = (performance.now() - t0) / 1000;
    const summary: ProduceSummary = {
      sent,
      valid: truth.validCount,
      invalid: truth.invalidCount,
      late: truth.lateCount,
      delivered: sent - failed,
      failed,
      bytes,
      seconds,
      eventsPerSecond: sent / seconds,
      mbPerSecond: bytes / seconds / 1e6,
      partitions,
      firstErrors,
    };
    if (cfg.truth) {
      const result = truth.result();
      await writeTruthFile(
        cfg.truth,
        summary.failed > 0 ? ({ ...result, delivery_failures: summary.failed } as typeof result) : result,
      );
    }
    return summary;
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}
