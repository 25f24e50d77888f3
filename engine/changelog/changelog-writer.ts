/**
 * The changelog topics (CHANGELOG_TOPICS): every document a flush writes to Elasticsearch also goes
 * to the compacted topic `<index>.changelog` — key the document id, value its JSON source or
 * (CHANGELOG_FORMAT=avro) Avro in the Confluent wire format with a schema registered under
 * `<index>.changelog-value`, header `ria.version` the external version Elasticsearch gets. A
 * flush waits until Kafka has every record, so a replay after a crash rewrites the same key with
 * the same version, and a compacted topic converges to exactly the index's content.
 *
 * Runs on the main thread (node-rdkafka cannot run in the flusher's worker); the flusher asks
 * through FlusherLink. Kafka away is waited for (said once per interval), never skipped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import Kafka from 'node-rdkafka';
import type { EngineConfig } from '../config/engine-config.js';
import { kafkaClientConfig } from '../config/kafka.js';
import { RiaError } from '../errors/errors.js';
import type { Problems } from '../metrics/problems.js';
import { RegistryClient } from '../schema/registry-client.js';
import { ensureTopics } from '../setup/topics.js';
import { AGG_INDICES } from '../shared/indices.js';
import type { ChangelogRecord } from '../shared/messages.js';
import { packageRoot } from '../shared/package-root.js';
import { produceWaiting } from '../source/produce-waiting.js';
import { changelogTopicOf } from './changelog-records.js';

/** Partitions of a changelog topic when the engine creates it (records of one key stay in one). */
const PARTITIONS = 6;
const FLUSH_WAIT_MS = 10_000;
const RETRY_MS = 1000;

interface AvroValue {
  id: number;
  type: avro.Type;
}

/** The Avro schema of an index's changelog values (engine/schema/changelog/<index>.avsc). */
export function changelogSchemaOf(index: string): string {
  return readFileSync(join(packageRoot(), 'engine', 'schema', 'changelog', `${index}.avsc`), 'utf8');
}

/**
 * A document's JSON source as its Avro record: `@timestamp` (not an Avro name) becomes
 * `timestamp`, epoch ms (timestamp-millis); every other field keeps its name and value.
 */
export function avroRecordOf(source: string): Record<string, unknown> {
  const { '@timestamp': at, ...fields } = JSON.parse(source) as Record<string, unknown>;
  return { ...fields, timestamp: Date.parse(String(at)) };
}

export class ChangelogWriter {
  private readonly producer: Kafka.Producer;
  private ready: Promise<void> | undefined;
  private readonly avro = new Map<string, AvroValue>();
  private failures = 0;
  private readonly firstFailures: string[] = [];

  constructor(
    private readonly cfg: EngineConfig,
    private readonly problems: Pick<Problems, 'problem'>,
  ) {
    if (cfg.changelogFormat === 'avro' && !cfg.schemaRegistryUrl)
      throw new RiaError('invalid settings: CHANGELOG_FORMAT=avro needs SCHEMA_REGISTRY_URL', {
        code: 'RIA_ERR_CONFIG',
      });
    this.producer = new Kafka.Producer(
      kafkaClientConfig(cfg, 'ria-changelog', {
        dr_cb: true,
        'delivery.report.only.error': true,
        'enable.idempotence': true,
        'linger.ms': 5,
        'compression.codec': 'lz4',
      }),
    );
    this.producer.on('delivery-report', (err) => {
      if (!err) return;
      this.failures++;
      if (this.firstFailures.length < 3) this.firstFailures.push(err.message);
    });
  }

  /** The records of flush `version` in their topics; resolves once Kafka acknowledged every one. */
  async write(version: number, records: ChangelogRecord[]): Promise<void> {
    this.ready ??= this.start();
    await this.ready;
    const headers = [{ 'ria.version': String(version) }];
    for (;;) {
      const failuresBefore = this.failures;
      for (const r of records)
        await produceWaiting(
          this.producer,
          changelogTopicOf(r.index),
          -1,
          this.valueOf(r),
          Buffer.from(r.id),
          headers,
        );
      const flushed = await new Promise<Error | undefined>((resolve) =>
        this.producer.flush(FLUSH_WAIT_MS, (e) =>
          resolve(e ? new RiaError(e.message, { code: 'RIA_ERR_KAFKA_FLUSH', retriable: true }) : undefined),
        ),
      );
      if (!flushed && this.failures === failuresBefore) return;
      // Sent again as a whole: the same key and version, so a duplicate changes nothing.
      this.problems.problem(
        'kafka',
        `kafka: changelog records of flush ${version} not acknowledged (${flushed?.message ?? this.firstFailures.join('; ')}); sending them again`,
      );
      this.firstFailures.length = 0;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }

  private valueOf(r: ChangelogRecord): Buffer {
    const a = this.avro.get(r.index);
    if (!a) return Buffer.from(r.source);
    const body = a.type.toBuffer(avroRecordOf(r.source));
    const value = Buffer.alloc(5 + body.length);
    value.writeUInt32BE(a.id, 1);
    body.copy(value, 5);
    return value;
  }

  /** Topics (compacted) and, for Avro, the value schemas: retried until Kafka and the registry answer. */
  private async start(): Promise<void> {
    for (;;) {
      try {
        await ensureTopics(
          this.cfg,
          AGG_INDICES.map((index) => ({
            name: changelogTopicOf(index),
            partitions: PARTITIONS,
            config: { 'cleanup.policy': 'compact' },
          })),
        );
        if (this.cfg.changelogFormat === 'avro') await this.registerSchemas();
        await new Promise<void>((resolve, reject) =>
          this.producer.connect({ timeout: FLUSH_WAIT_MS }, (e) => (e ? reject(e) : resolve())),
        );
        this.producer.setPollInterval(100);
        return;
      } catch (e) {
        this.problems.problem(
          'kafka',
          `kafka: changelog topics not ready (${(e as Error).message}); retrying`,
        );
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async registerSchemas(): Promise<void> {
    const client = new RegistryClient({
      ...this.cfg,
      schemaRegistryUrl: this.cfg.schemaRegistryUrl as string,
    });
    for (const index of AGG_INDICES) {
      const schema = changelogSchemaOf(index);
      const subject = `${changelogTopicOf(index)}-value`;
      const id = await client.register(subject, JSON.stringify(JSON.parse(schema)));
      this.avro.set(index, { id, type: avro.Type.forSchema(JSON.parse(schema)) });
    }
  }

  async close(): Promise<void> {
    if (!this.ready) return;
    await new Promise<void>((resolve) => this.producer.disconnect(() => resolve()));
  }
}
