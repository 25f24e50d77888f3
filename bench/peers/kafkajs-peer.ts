/**
 * The straightforward alternative a user might write: one thread, KafkaJS, `JSON.parse` per
 * event (through the same reference validator, so it rejects the same events) — or, given a
 * registry, Avro through the maintained registry client (@kafkajs/confluent-schema-registry,
 * schemas cached per id) and the same rules — Maps for the
 * counts (the ground-truth aggregator: windows per item, lateness per partition), and at the end
 * the same documents bulk-written to the same indices. Timed from start until written.
 */
import type { Client } from '@elastic/elasticsearch';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import kafkajs from 'kafkajs';
import { TruthBuilder, truthFieldsOf } from '../../engine/producer/truth.js';
import { type Verdict, validateEvent, validateFields } from '../../engine/shared/event-reference.js';
import { DEFAULT_MAX_EVENT_TIME_MS, DEFAULT_MIN_EVENT_TIME_MS } from '../../engine/shared/event-rules.js';
import { AVG_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../../engine/shared/indices.js';
import { type Doc, docOf, writeDocs } from '../../engine/sink/bulk-writer.js';
import { KAFKAJS_FETCH, registerLz4 } from './lz4-codec.js';

export async function runKafkajsPeer(
  es: Client,
  opts: {
    broker: string;
    topic: string;
    partitions: number;
    expected: number;
    windowMs: number;
    allowedLatenessMs: number;
    /** A Confluent-compatible registry: Avro messages (byte 0 = 0) are decoded through it. */
    registryUrl?: string;
  },
): Promise<{ seconds: number; events: number; eventsPerSecond: number }> {
  registerLz4();
  const t0 = performance.now();
  const kafka = new kafkajs.Kafka({
    clientId: 'ria-peer-kafkajs',
    brokers: opts.broker.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `ria-peer-${Date.now().toString(36)}`, ...KAFKAJS_FETCH });
  const agg = new TruthBuilder(opts.topic, opts.partitions, opts.windowMs, opts.allowedLatenessMs);
  const range = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };
  const registry = opts.registryUrl ? new SchemaRegistry({ host: opts.registryUrl }) : undefined;
  const read = async (value: Buffer | null): Promise<Verdict> => {
    if (!registry || !value || value[0] !== 0) return validateEvent(value, 'json', range);
    try {
      const o = (await registry.decode(value)) as Record<string, unknown>;
      return validateFields(
        { ...o, timestamp: o.timestamp instanceof Date ? o.timestamp.getTime() : o.timestamp },
        range,
      );
    } catch (e) {
      return { ok: false, reason: `avro: ${(e as Error).message}` };
    }
  };
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const v = await read(m.value);
            if (v.ok) agg.addValid(batch.partition, v.userId, v.itemId, v.time, truthFieldsOf(v));
            else agg.addInvalid();
            seen++;
          }
          if (seen >= opts.expected) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  const r = agg.result();
  const at = new Date().toISOString();
  const docs: Doc[] = [
    ...Object.entries(r.items).map(([id, it]) =>
      docOf(ITEM_INDEX, id, 1, {
        item_id: id,
        total_interactions: it.total_interactions,
        max_per_sec: it.max_per_sec,
        min_per_sec: it.min_per_sec,
        '@timestamp': at,
      }),
    ),
    ...Object.entries(r.users).map(([id, n]) =>
      docOf(USER_INDEX, id, 1, { user_id: id, total_interactions: n, '@timestamp': at }),
    ),
    docOf(AVG_INDEX, GLOBAL_DOC_ID, 1, {
      ...r.global,
      window_ms: opts.windowMs,
      allowed_lateness_ms: opts.allowedLatenessMs,
      '@timestamp': at,
    }),
  ];
  await writeDocs(es, docs, { maxDocs: 5000, onProblem: () => undefined, onRefused: () => undefined });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, events: seen, eventsPerSecond: seen / seconds };
}
