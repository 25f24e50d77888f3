/**
 * `ria verify --changelog`: the changelog topics read as a compacted topic is meant to be read —
 * every partition from its start to its end, the last value per key winning (a null value deletes)
 * — and turned back into the documents they mirror, so verify compares them with the truth exactly
 * as it compares the indices. Avro values are decoded with their writer schemas from the registry.
 */
import avro from 'avsc';
import Kafka from 'node-rdkafka';
import { changelogTopicOf } from '../changelog/changelog-records.js';
import { type KafkaConnection, kafkaClientConfig } from '../config/kafka.js';
import { ServiceError } from '../errors/errors.js';
import type { RegistryConnection } from '../schema/registry-client.js';
import { RegistryClient } from '../schema/registry-client.js';
import { schemaIdOf } from '../shared/avro-reference.js';
import { endOffset } from '../source/end-offset.js';
import type { DocumentSource } from './verify.js';

const TIMEOUT_MS = 60_000;

type Doc = Record<string, unknown>;

/** The last value of every key of a topic, in offset order per partition. */
export async function lastValues(conn: KafkaConnection, topic: string): Promise<Map<string, Buffer>> {
  const consumer = new Kafka.KafkaConsumer(
    kafkaClientConfig(conn, 'ria-verify-changelog', {
      'group.id': 'ria-verify-changelog',
      'enable.auto.commit': false,
    }),
    {},
  );
  await new Promise<void>((resolve, reject) =>
    consumer.connect({ timeout: 15_000 }, (e) => (e ? reject(e) : resolve())),
  );
  const out = new Map<string, Buffer>();
  try {
    const meta = await new Promise<Kafka.Metadata>((resolve, reject) =>
      consumer.getMetadata({ topic, timeout: 15_000 }, (e, m) => (e ? reject(e) : resolve(m))),
    );
    const partitions = meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    if (partitions.length === 0) return out;
    const ends = new Map<number, number>();
    for (const p of partitions) ends.set(p, await endOffset(consumer, topic, p));
    const open = new Set(partitions.filter((p) => (ends.get(p) ?? 0) > 0));
    consumer.assign([...open].map((partition) => ({ topic, partition, offset: 0 })));
    const deadline = Date.now() + TIMEOUT_MS;
    while (open.size > 0) {
      if (Date.now() > deadline)
        throw new ServiceError(
          `cannot read ${topic} to its end (partitions ${[...open].join(', ')})`,
          'RIA_ERR_KAFKA_METADATA',
          true,
        );
      const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
        consumer.consume(5000, (e, m) => (e ? reject(e) : resolve(m))),
      );
      for (const m of batch) {
        const key = m.key === undefined || m.key === null ? '' : m.key.toString();
        if (m.value === null || m.value === undefined) out.delete(key);
        else out.set(key, m.value);
        if (m.offset + 1 >= (ends.get(m.partition) ?? 0)) open.delete(m.partition);
      }
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return out;
}

/** A changelog value as the document it mirrors (Avro's `timestamp` back to `@timestamp`). */
async function documentOf(value: Buffer, schemaOf: (id: number) => Promise<avro.Type>): Promise<Doc> {
  const id = schemaIdOf(value, 0, value.length);
  if (id < 0) return JSON.parse(value.toString('utf8')) as Doc;
  const { timestamp, ...fields } = (await schemaOf(id)).fromBuffer(value.subarray(5)) as Doc;
  return { ...fields, '@timestamp': new Date(timestamp as number).toISOString() };
}

/** The changelog topics as a DocumentSource (each topic read once). */
export function changelogOf(conn: KafkaConnection & Partial<RegistryConnection>): DocumentSource {
  const registry = conn.schemaRegistryUrl ? new RegistryClient(conn as RegistryConnection) : undefined;
  const types = new Map<number, Promise<avro.Type>>();
  const schemaOf = (id: number) => {
    let t = types.get(id);
    if (!t) {
      if (!registry)
        throw new ServiceError(
          `an Avro changelog value (schema id ${id}) needs SCHEMA_REGISTRY_URL`,
          'RIA_ERR_REGISTRY',
          false,
        );
      t = registry.schemaById(id).then((s) => {
        if (s === undefined)
          throw new ServiceError(`the registry does not know schema id ${id}`, 'RIA_ERR_REGISTRY', false);
        return avro.Type.forSchema(JSON.parse(s));
      });
      types.set(id, t);
    }
    return t;
  };
  const read = new Map<string, Promise<Map<string, Doc>>>();
  const docsOf = (index: string) => {
    let docs = read.get(index);
    if (!docs) {
      docs = lastValues(conn, changelogTopicOf(index)).then(async (values) => {
        const out = new Map<string, Doc>();
        for (const [key, value] of values) out.set(key, await documentOf(value, schemaOf));
        return out;
      });
      read.set(index, docs);
    }
    return docs;
  };
  return { all: (index) => docsOf(index), one: async (index, id) => (await docsOf(index)).get(id) };
}
