/**
 * The Kafka side of the engine: one librdkafka consumer, partitions assigned by hand at the
 * offsets of the checkpoint (offsets of record live in the checkpoint, as in Arroyo; the group
 * only gets commits for monitoring and lag). It hands out batches as one flat segment per
 * partition (rdkafka-batch.ts) and tracks, per partition, whether it is caught up and idle.
 */
import Kafka from 'node-rdkafka';
import { connectKafka, type KafkaConnection, kafkaClientConfig } from '../config/kafka.js';
import { RiaError, ServiceError } from '../errors/errors.js';
import { checkFetchBudget, FETCH_SETTINGS } from './fetch-settings.js';
import { isCoordinatorRetriable, withCoordinatorRetry } from './group-retry.js';
import { Idleness } from './idleness.js';
import { isOutOfRange, type OutOfRangePolicy, readOnAfterOutOfRange } from './out-of-range.js';
import { consumeBatch, type PartitionError, type Segment } from './rdkafka-batch.js';

const TIMEOUT_MS = 15_000;
/** How long a consume call waits for the first message. */
const CONSUME_TIMEOUT_MS = 100;
// Every metadata call here passes allTopics: false: node-rdkafka otherwise asks for (and turns
// into JS objects) every topic of the cluster, and the broker check runs every 5 s — on a
// cluster of a few hundred topics that was the idle engine's largest cost on its main thread
// (results/engine-steady-cost.json). A consumer never auto-creates the topic it asks about.
/** librdkafka's RD_KAFKA_OFFSET_BEGINNING. */
export const OFFSET_BEGINNING = -2;

export interface PartitionProgress {
  /** Next offset to read. */
  next: number;
  /** End of the partition when last seen (high watermark). */
  high: number;
}

/** Errors that mean "the broker is out of reach": nothing is known to be caught up any more. */
const BROKER_LOST = new Set([Kafka.CODES.ERRORS.ERR__TRANSPORT, Kafka.CODES.ERRORS.ERR__ALL_BROKERS_DOWN]);

export class KafkaSource {
  private readonly consumer: Kafka.KafkaConsumer;
  readonly partitions = new Map<number, PartitionProgress>();
  private readonly idleness = new Idleness();
  /** A coordinator call retried (a line, counted as a Kafka problem). */
  private readonly onGroupRetry: ((message: string) => void) | undefined;
  private readonly outOfRange: OutOfRangePolicy;
  private readonly onReset: ((message: string) => void) | undefined;

  /**
   * `options.rebalance`: the consumer joins its group with subscribe() and Kafka assigns the
   * partitions (the scaled-out counters); the callback must call assign / unassign. Without it,
   * assignAll() takes every partition. `options.config`: more librdkafka properties of ours.
   */
  constructor(
    private readonly conn: KafkaConnection,
    readonly topic: string,
    group: string,
    options: {
      rebalance?: (err: Kafka.LibrdKafkaError, assignment: Kafka.Assignment[]) => void;
      config?: Record<string, string | number | boolean>;
      /** librdkafka says the broker is out of reach (it reconnects by itself). */
      onBrokerLost?: (message: string) => void;
      /** A call to the group's coordinator is retried (a Kafka problem, with its message). */
      onRetry?: (message: string) => void;
      /** What to do with an offset no longer in its partition (out-of-range.ts); `fail` by default. */
      outOfRange?: OutOfRangePolicy;
      /** Reading on after an offset out of range (a WARNING line, counted). */
      onReset?: (message: string) => void;
    } = {},
  ) {
    this.onGroupRetry = options.onRetry;
    this.outOfRange = options.outOfRange ?? 'fail';
    this.onReset = options.onReset;
    const props = kafkaClientConfig(conn, 'ria-engine', {
      ...options.config,
      ...(options.rebalance ? { rebalance_cb: options.rebalance as unknown as boolean } : {}),
      'group.id': group,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      // EOF markers tell when a partition is caught up (idleness, --exit-when-idle), and make a
      // batch call return at once at the end instead of waiting for more.
      'enable.partition.eof': true,
      'fetch.wait.max.ms': 100,
      ...FETCH_SETTINGS,
    });
    checkFetchBudget(props);
    // librdkafka reports an offset out of range instead of resetting by itself (out-of-range.ts).
    this.consumer = new Kafka.KafkaConsumer(props, { 'auto.offset.reset': 'error' });
    // A partition that looked caught up before the broker went away may not be: while the broker
    // is out of reach no partition counts as idle (else every window would close, and events of
    // the outage would then arrive late).
    this.consumer.on('event.error', (e) => {
      if (!BROKER_LOST.has(e.code)) return;
      options.onBrokerLost?.(e.message);
      this.idleness.brokerLost();
    });
  }

  async connect(): Promise<void> {
    await connectKafka(this.consumer, this.conn.kafkaBroker, 'consumer');
  }

  /** The topic's partitions, from the broker; a missing topic stops the start with one line. */
  async partitionIds(): Promise<number[]> {
    const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
      this.consumer.getMetadata({ topic: this.topic, allTopics: false, timeout: TIMEOUT_MS }, (e, m) =>
        e ? reject(e) : resolve(m),
      ),
    );
    const t = md.topics.find((x) => x.name === this.topic);
    if (!t || t.partitions.length === 0) {
      throw new ServiceError(
        `topic ${this.topic} does not exist on ${this.conn.kafkaBroker} (run \`ria stack up\` or create it)`,
        'RIA_ERR_NO_TOPIC',
        false,
      );
    }
    return t.partitions.map((p) => p.id).sort((a, b) => a - b);
  }

  /** Assigns every partition of the topic, at the checkpoint's offsets (or the beginning). */
  async assignAll(offsets: Record<number, number>): Promise<number[]> {
    const ids = await this.partitionIds();
    this.assign(new Map(ids.map((p) => [p, offsets[p] ?? OFFSET_BEGINNING])));
    return ids;
  }

  /**
   * Partitions added to the topic since assignAll (a topic grown while running): read from their
   * beginning, alongside the others. Returns the new ones (none most of the time).
   */
  discover(): Promise<number[]> {
    return this.discoverShare(0, 1);
  }

  /** discover() of the new partitions p with p mod `of` = `share` (one consumer of a SourceGroup). */
  async discoverShare(share: number, of: number): Promise<number[]> {
    const ids = await this.partitionIds().catch((e) => {
      if ((e as ServiceError).code === 'RIA_ERR_NO_TOPIC') return [];
      throw e;
    });
    const added = ids.filter((p) => p % of === share && !this.partitions.has(p));
    if (added.length === 0) return added;
    for (const p of added) this.track(p, 0);
    this.consumer.incrementalAssign(
      added.map((partition) => ({ topic: this.topic, partition, offset: OFFSET_BEGINNING })),
    );
    return added;
  }

  /**
   * One round trip to the broker (the topic's metadata): resolves when it answered. librdkafka
   * reconnects quietly, and a consumer with nothing to read cannot tell an idle topic from a
   * broker that is gone; this can (the readiness check).
   */
  probeBroker(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.consumer.getMetadata({ topic: this.topic, allTopics: false, timeout: timeoutMs }, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  }

  /** Whether the group has committed an offset past 0 on an assigned partition (earlier work). */
  async hasCommits(): Promise<boolean> {
    const list = [...this.partitions.keys()].map((partition) => ({ topic: this.topic, partition }));
    // A fresh group's coordinator may not be known yet ("Broker: Not coordinator"): asked again.
    const got = await withCoordinatorRetry(
      () =>
        new Promise<Kafka.TopicPartitionOffset[]>((resolve, reject) =>
          this.consumer.committed(list, TIMEOUT_MS, (e, tp) => (e ? reject(e) : resolve(tp))),
        ),
      (e) =>
        this.onGroupRetry?.(`kafka: asking the group for its committed offsets: ${e.message}; asking again`),
    );
    return got.some((tp) => typeof tp.offset === 'number' && tp.offset > 0);
  }

  /** Joins the consumer group: partitions come through the rebalance callback. */
  subscribe(): void {
    this.consumer.subscribe([this.topic]);
  }

  /** Reads these partitions from these offsets (OFFSET_BEGINNING when none is known). */
  assign(offsets: Map<number, number>): void {
    this.partitions.clear();
    this.idleness.forgetAll();
    const assignment = [...offsets].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
    for (const a of assignment) this.track(a.partition, Math.max(0, a.offset));
    this.consumer.assign(assignment);
  }

  /** Gives every partition back (a rebalance revoked them). */
  unassign(): void {
    this.partitions.clear();
    this.idleness.forgetAll();
    this.consumer.unassign();
  }

  /** The librdkafka consumer, for Kafka transactions (their offsets carry its group's generation). */
  get client(): Kafka.KafkaConsumer {
    return this.consumer;
  }

  /**
   * Up to `n` messages as one segment per partition (offset order within each), taken with the
   * batch call: no JS object per message.
   */
  async consume(n: number): Promise<Segment[]> {
    const { segments, eofs, errors } = await consumeBatch(this.consumer, CONSUME_TIMEOUT_MS, n);
    for (const e of errors) await this.partitionError(e);
    for (const s of segments) {
      const p = this.partitions.get(s.partition);
      if (!p) continue;
      // Offsets before the next expected one would be counted a second time: never taken.
      if (s.firstOffset < p.next)
        throw new RiaError(
          `partition ${s.partition} of ${this.topic}: Kafka delivered offset ${s.firstOffset}, before the next expected ${p.next}; not counted (the restart resumes exactly from the checkpoint)`,
          { code: 'RIA_ERR_REREAD' },
        );
      p.next = s.lastOffset + 1;
      this.idleness.message(s.partition);
    }
    for (const e of eofs) {
      const p = this.partitions.get(e.partition);
      if (p && e.offset >= p.next) {
        p.high = e.offset;
        this.idleness.caughtUp(e.partition);
      }
    }
    return segments;
  }

  /** An error librdkafka delivered for one partition: an offset out of range, or said and retried. */
  private async partitionError(e: PartitionError): Promise<void> {
    const p = this.partitions.get(e.partition);
    if (!isOutOfRange(e.code) || !p) {
      this.onGroupRetry?.(`kafka: partition ${e.partition} of ${this.topic}: ${e.message}`);
      return;
    }
    const moved = await readOnAfterOutOfRange(this.consumer, this.outOfRange, this.topic, this.partitions, e);
    if (!moved) return;
    this.onReset?.(moved.warning);
    this.idleness.message(e.partition);
  }

  /**
   * True when the partition is caught up and has had nothing new for `idleMs`. A partition quiet
   * for that long without an end-of-partition marker (librdkafka gives one per reaching the end,
   * not again after a reconnect) is confirmed by asking the broker for its end offset.
   */
  isIdle(partition: number, idleMs: number): boolean {
    const p = this.partitions.get(partition);
    if (!p) return false;
    if (this.idleness.confirmationDue(partition, idleMs)) {
      this.consumer.queryWatermarkOffsets(this.topic, partition, 2000, (err, w) => {
        if (!err) p.high = Math.max(p.high, w.highOffset);
        this.idleness.confirmed(partition, err ? undefined : w.highOffset <= p.next);
      });
    }
    return this.idleness.isIdle(partition, idleMs);
  }

  private track(partition: number, next: number): void {
    this.partitions.set(partition, { next, high: -1 });
    this.idleness.assigned(partition);
  }

  lag(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [id, p] of this.partitions) {
      try {
        const w = this.consumer.getWatermarkOffsets(this.topic, id);
        if (w.highOffset >= 0) p.high = Math.max(p.high, w.highOffset);
      } catch {
        // not known yet
      }
      out.set(id, Math.max(0, p.high - p.next));
    }
    return out;
  }

  /** Commits the offsets of a durable cut (monitoring only: the checkpoint is the record). */
  commit(offsets: Record<number, number>): void {
    const list = Object.entries(offsets).map(([p, o]) => ({
      topic: this.topic,
      partition: Number(p),
      offset: o,
    }));
    if (list.length === 0) return;
    try {
      this.consumer.commit(list);
    } catch (e) {
      // Commits are for monitoring (the checkpoint is the record): the next cut commits again.
      if (!isCoordinatorRetriable(e)) throw e;
      this.onGroupRetry?.(`kafka: committing offsets: ${(e as Error).message}; the next flush commits again`);
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.consumer.disconnect(() => resolve()));
  }
}
