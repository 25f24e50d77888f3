/**
 * A counter's transactional producer: each flush writes its delta records, its dead letters and
 * its source offsets in one Kafka transaction, so the merger (read_committed) sees all or none.
 * `transactional.id` is stable per instance (`--instance-id`, on Kubernetes the pod's name): a
 * restarted counter fences its predecessor's open transaction.
 */
import { hostname } from 'node:os';
import Kafka from 'node-rdkafka';
import type { EngineConfig } from '../config/engine-config.js';
import { connectKafka, kafkaClientConfig } from '../config/kafka.js';
import { ServiceError } from '../errors/errors.js';
import { deltasTopic, dlqTopic } from '../shared/indices.js';
import type { BatchDelta } from '../shared/messages.js';
import { deadLetterOf, type InvalidMessage } from '../source/dead-letters.js';
import { isUnknownPartition, produceWaiting, tryProduce } from '../source/produce-waiting.js';
import { DELTA_FORMAT, type DeltaRecord, encodeDeltaRecord } from './delta-record.js';
import { DELTAS_MAX_MESSAGE_BYTES } from './deltas-topic.js';

const TXN_TIMEOUT_MS = 30_000;

/** What one transaction writes. */
export interface TransactionContent {
  records: DeltaRecord[];
  deadLetters: { message: InvalidMessage; reason: string }[];
  /** Next source offset per partition. */
  offsets: { partition: number; offset: number }[];
}

/** What one assigned partition writes in a transaction. */
export interface PartitionWrite {
  partition: number;
  /** First source offset not yet in a committed record, and the offset after the last batch. */
  from: number;
  next: number;
  partitionMax: number;
  idle: boolean;
  deltas: BatchDelta[];
  deadLetters: { message: InvalidMessage; reason: string }[];
}

/** One record per counted batch (each well under the message size limit), the last saying idleness. */
export function transactionOf(writes: PartitionWrite[]): TransactionContent {
  const content: TransactionContent = { records: [], deadLetters: [], offsets: [] };
  for (const x of writes) {
    let from = x.from;
    const batches = x.deltas.length > 0 ? x.deltas : [undefined];
    batches.forEach((d, i) => {
      const next = d ? d.nextOffset : x.next;
      content.records.push({
        format: DELTA_FORMAT,
        partition: x.partition,
        from,
        next,
        partitionMax: d ? d.partitionMax : x.partitionMax,
        idle: i === batches.length - 1 ? x.idle : false,
        invalid: d ? d.invalidIndex.length : 0,
        deltas: d ? [d] : [],
      });
      from = next;
    });
    content.deadLetters.push(...x.deadLetters);
    content.offsets.push({ partition: x.partition, offset: x.next });
  }
  return content;
}

export class CounterTransactions {
  private readonly producer: Kafka.Producer;
  private readonly deltas: string;
  private readonly dlq: string;

  constructor(private readonly cfg: EngineConfig) {
    this.deltas = deltasTopic(cfg.kafkaTopic, cfg.consumerGroup);
    this.dlq = dlqTopic(cfg.kafkaTopic);
    const instance = cfg.instanceId || `${hostname()}-${process.pid}`;
    this.producer = new Kafka.Producer(
      kafkaClientConfig(cfg, 'ria-counter', {
        'transactional.id': `ria-counter-${cfg.consumerGroup}-${instance}`,
        'enable.idempotence': true,
        // A counter that dies mid-transaction holds the merger back at most this long.
        'transaction.timeout.ms': 15_000,
        'message.max.bytes': DELTAS_MAX_MESSAGE_BYTES,
        'compression.codec': 'lz4',
        'linger.ms': 5,
      }),
    );
  }

  async connect(): Promise<void> {
    await connectKafka(this.producer, this.cfg.kafkaBroker, 'counter producer');
    await this.txn((cb) => this.producer.initTransactions(TXN_TIMEOUT_MS, cb), 'initTransactions');
  }

  /**
   * Writes `c` in one transaction; `consumer` is the group member whose offsets these are (a
   * counter that lost its partitions cannot commit). A failed transaction is aborted and thrown.
   */
  async write(c: TransactionContent, consumer: Kafka.KafkaConsumer): Promise<void> {
    await this.txn((cb) => this.producer.beginTransaction(cb), 'beginTransaction');
    try {
      // A full local queue waits for room (a flush of a topic full of bad input holds many).
      for (const r of c.records) await this.produceRecord(r.partition, encodeDeltaRecord(r));
      for (const { message, reason } of c.deadLetters) {
        const dl = deadLetterOf(message, reason, this.cfg.kafkaTopic);
        if (!tryProduce(this.producer, this.dlq, 0, dl.value, message.key, dl.headers))
          await produceWaiting(this.producer, this.dlq, 0, dl.value, message.key, dl.headers);
      }
      const offsets = c.offsets.map((o) => ({ topic: this.cfg.kafkaTopic, ...o }));
      await this.txn(
        (cb) => this.producer.sendOffsetsToTransaction(offsets, consumer, TXN_TIMEOUT_MS, cb),
        'sendOffsetsToTransaction',
      );
      await this.txn((cb) => this.producer.commitTransaction(TXN_TIMEOUT_MS, cb), 'commitTransaction');
    } catch (e) {
      await this.txn((cb) => this.producer.abortTransaction(TXN_TIMEOUT_MS, cb), 'abortTransaction').catch(
        () => {},
      );
      throw e;
    }
  }

  /**
   * A delta record to its partition. Partitions added to the deltas topic moments ago (the source
   * grew) are not in this producer's metadata yet: it asks for them and tries again (for up to 30 s).
   */
  private async produceRecord(partition: number, value: Buffer): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await produceWaiting(this.producer, this.deltas, partition, value, null);
        return;
      } catch (e) {
        if (!isUnknownPartition(e) || attempt >= 30) throw e;
        await new Promise<void>((resolve) =>
          this.producer.getMetadata({ topic: this.deltas, timeout: 5000 }, () => setTimeout(resolve, 1000)),
        );
      }
    }
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.producer.disconnect(() => resolve()));
  }

  private txn(call: (cb: (err: Kafka.LibrdKafkaError) => void) => void, what: string): Promise<void> {
    return new Promise((resolve, reject) =>
      call((err) =>
        err
          ? reject(
              new ServiceError(
                `counter: Kafka transaction (${what}) failed: ${err.message}`,
                'RIA_ERR_KAFKA_TXN',
                true,
                err,
              ),
            )
          : resolve(),
      ),
    );
  }
}
