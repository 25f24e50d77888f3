/**
 * The dead-letter topic `<topic>.dlq`: each invalid message goes there unchanged (key and value),
 * with headers saying why and where it came from (ria.reason, ria.source.topic,
 * ria.source.partition, ria.source.offset). Exactly once, also across crashes:
 *
 * Per source partition, the dead letters are always every invalid message up to some source
 * offset (they are written in offset order, and a message is skipped only when that offset is
 * already covered), so one number per partition — the highest source offset in the topic —
 * says what is there. The checkpoint records those numbers and the topic's end offset at its
 * cut; on start, the dead letters written after that end (by a run that died after the cut) are
 * read back to raise the numbers, and nothing at or below them is sent again.
 */
import Kafka from 'node-rdkafka';
import { connectKafka, type KafkaConnection, kafkaClientConfig } from '../config/kafka.js';
import { ServiceError } from '../errors/errors.js';
import { ensureTopics } from '../setup/topics.js';
import { MAX_EVENT_BYTES } from '../shared/event-rules.js';
import { dlqTopic } from '../shared/indices.js';
import type { BatchDelta } from '../shared/messages.js';
import { endOffset } from './end-offset.js';
import { tryProduce, waitForRoom } from './produce-waiting.js';
import { type Segment, segmentKey } from './rdkafka-batch.js';

const TIMEOUT_MS = 15_000;
/** Dead letters waiting for room in librdkafka's queue past which consumption pauses. */
const MAX_BACKLOG = 10_000;

/** A source message that failed validation. */
export interface InvalidMessage {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** A batch's invalid messages, with their keys (kept on the main thread) and values (from the worker). */
export function* invalidMessagesOf(
  d: BatchDelta,
  s: Segment,
): Generator<{ message: InvalidMessage; reason: string }> {
  const keyEnds = new Int32Array(s.keys, 0, s.count);
  let start = 0;
  for (let k = 0; k < d.invalidIndex.length; k++) {
    const i = d.invalidIndex[k];
    const end = d.invalidEnds[k];
    const value =
      end < 0 ? null : Buffer.from(d.invalidValues.buffer, d.invalidValues.byteOffset + start, end - start);
    if (end >= 0) start = end;
    yield {
      message: { partition: s.partition, offset: d.invalidOffsets[k], key: segmentKey(s, keyEnds, i), value },
      reason: d.invalidReasons[k],
    };
  }
}

/** The dead letter of an invalid message: its value (cut if oversized) and the headers saying why. */
export function deadLetterOf(
  message: InvalidMessage,
  reason: string,
  sourceTopic: string,
): { value: Buffer | null; headers: Kafka.MessageHeader[] } {
  const headers: Kafka.MessageHeader[] = [
    { 'ria.reason': reason },
    { 'ria.source.topic': sourceTopic },
    { 'ria.source.partition': String(message.partition) },
    { 'ria.source.offset': String(message.offset) },
  ];
  let value = message.value ?? null;
  // An oversized message (up to what the broker allows) would not fit a dead letter: keep its
  // head and say so; the source offset points to the whole message.
  if (value && value.length > MAX_EVENT_BYTES) {
    headers.push({ 'ria.value.bytes': String(value.length) }, { 'ria.truncated': 'true' });
    value = value.subarray(0, MAX_EVENT_BYTES);
  }
  return { value, headers };
}

/** How often delivery reports are polled for while dead letters are in flight. */
const POLL_MS = 20;

export class DeadLetters {
  private readonly producer: Kafka.Producer;
  readonly topic: string;
  /** Highest source offset per partition in the dead-letter topic (restored, read back, or sent). */
  private readonly covered = new Map<number, number>();
  private end = 0;
  /** Sent and not yet acknowledged (the backlog included). */
  private pending = 0;
  /**
   * Dead letters librdkafka's queue had no room for yet, in order. Their offsets already count as
   * covered: they are produced before the next cut is taken (settle), so a crash before that cut
   * replays and sends them again, exactly as if they had been in the queue.
   */
  private backlog: { message: InvalidMessage; reason: string }[] = [];
  private backlogAt = 0;
  private failure: Error | undefined;
  /** Polls for delivery reports while dead letters are in flight (see send()). */
  private poller: NodeJS.Timeout | undefined;
  sent = 0;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly sourceTopic: string,
  ) {
    this.topic = dlqTopic(sourceTopic);
    this.producer = new Kafka.Producer(
      kafkaClientConfig(conn, 'ria-engine-dlq', { dr_cb: true, 'enable.idempotence': true, 'linger.ms': 5 }),
    );
    this.producer.on('delivery-report', (err, report) => {
      this.pending--;
      if (this.pending === 0) this.stopPolling();
      if (err)
        this.failure = new ServiceError(
          `dead letter not delivered: ${err.message}`,
          'RIA_ERR_DLQ',
          true,
          err,
        );
      else if (report.offset + 1 > this.end) this.end = report.offset + 1;
    });
  }

  async start(dlqEnd: number, covered: Record<number, number>): Promise<void> {
    for (const [p, o] of Object.entries(covered)) this.covered.set(Number(p), o);
    // Connect first: wrong credentials are reported clearly there, not as an admin timeout.
    await connectKafka(this.producer, this.conn.kafkaBroker, 'dead-letter producer');
    await ensureTopics(this.conn, [{ name: this.topic, partitions: 1 }]);
    this.end = dlqEnd;
    await this.readBack(dlqEnd);
  }

  /** Highest source offset per partition in the dead-letter topic (once settled: acknowledged). */
  get coveredOffsets(): Record<number, number> {
    return Object.fromEntries(this.covered);
  }

  /** Next offset of the dead-letter topic after every acknowledged dead letter. */
  get endOffset(): number {
    return this.end;
  }

  send(message: InvalidMessage, reason: string): void {
    const prev = this.covered.get(message.partition);
    if (prev !== undefined && message.offset <= prev) return; // written before a crash
    this.covered.set(message.partition, message.offset);
    // Delivery reports are polled for only while dead letters are in flight: a timer 50 times a
    // second for nothing was a visible share of an idle engine's CPU. Our own timer: node-rdkafka's
    // setPollInterval adds a 'disconnected' listener at every call, a leak when called per burst.
    if (this.pending++ === 0 && !this.poller)
      this.poller = setInterval(() => this.producer.isConnected() && this.producer.poll(), POLL_MS).unref();
    this.sent++;
    if (this.backlogAt < this.backlog.length || !this.produce(message, reason))
      this.backlog.push({ message, reason });
  }

  /** So many dead letters wait for room that consumption should pause (see drain()). */
  get backlogged(): boolean {
    return this.backlog.length - this.backlogAt > MAX_BACKLOG;
  }

  /** Hands the backlog to librdkafka as its queue makes room; resolves once it is all there. */
  async drain(): Promise<void> {
    for (;;) {
      while (this.backlogAt < this.backlog.length) {
        const { message, reason } = this.backlog[this.backlogAt];
        if (!this.produce(message, reason)) break;
        this.backlogAt++;
      }
      if (this.backlogAt === this.backlog.length) {
        this.backlog = [];
        this.backlogAt = 0;
        return;
      }
      await waitForRoom(this.producer);
    }
  }

  private produce(message: InvalidMessage, reason: string): boolean {
    const { value, headers } = deadLetterOf(message, reason, this.sourceTopic);
    return tryProduce(this.producer, this.topic, 0, value, message.key ?? null, headers);
  }

  /**
   * Waits until every dead letter sent so far is acknowledged (librdkafka retries through broker
   * outages, up to message.timeout.ms); throws only if one failed for good.
   */
  async settle(onWait?: (message: string) => void): Promise<void> {
    await this.drain();
    let waited = 0;
    while (this.pending > 0 && !this.failure) {
      await new Promise<void>((resolve) => this.producer.flush(1000, () => resolve()));
      if (this.pending > 0 && ++waited % 10 === 0)
        onWait?.(`waiting for ${this.pending} dead letters to be acknowledged by Kafka`);
    }
    if (this.failure)
      throw new ServiceError(
        `a dead letter could not be written to ${this.topic}: ${this.failure.message}`,
        'RIA_ERR_DLQ',
        false,
        this.failure,
      );
  }

  async close(): Promise<void> {
    this.stopPolling();
    await new Promise<void>((resolve) => this.producer.disconnect(() => resolve()));
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  /** Reads the dead letters from `from` to the end and notes which source offsets they cover. */
  private async readBack(from: number): Promise<void> {
    const consumer = new Kafka.KafkaConsumer(
      kafkaClientConfig(this.conn, 'ria-engine-dlq-readback', {
        'group.id': 'ria-dlq-readback',
        'enable.auto.commit': false,
        'enable.partition.eof': true,
      }),
      {},
    );
    await new Promise<void>((resolve, reject) =>
      consumer.connect({ timeout: TIMEOUT_MS }, (e) => (e ? reject(e) : resolve())),
    );
    try {
      const high = await endOffset(consumer, this.topic, 0);
      if (high <= from) return;
      consumer.assign([{ topic: this.topic, partition: 0, offset: from }]);
      let next = from;
      const deadline = Date.now() + 60_000;
      while (next < high && Date.now() < deadline) {
        const batch = await new Promise<Kafka.Message[]>((resolve, reject) =>
          consumer.consume(1000, (e, m) => (e ? reject(e) : resolve(m))),
        );
        for (const m of batch) {
          next = m.offset + 1;
          const h = Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>;
          if (String(h['ria.source.topic']) !== this.sourceTopic) continue;
          const p = Number(String(h['ria.source.partition']));
          const o = Number(String(h['ria.source.offset']));
          if (o > (this.covered.get(p) ?? -1)) this.covered.set(p, o);
        }
      }
      if (next < high)
        throw new ServiceError(`could not read back ${this.topic} up to offset ${high}`, 'RIA_ERR_DLQ', true);
      this.end = high;
    } finally {
      await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
    }
  }
}
