/**
 * Producing without ever failing on a full local queue: librdkafka's produce() throws
 * `Local: Queue full` when its queue holds queue.buffering.max.messages; that is back-pressure,
 * not an error. The fast path is one synchronous produce(); only a full queue waits (for
 * deliveries to free room) and tries the same message again, so a message is neither lost nor
 * skipped (callers that mark a message as done do so only once this resolves).
 */
import Kafka from 'node-rdkafka';

/** How long one wait for room lets librdkafka deliver before trying again. */
const ROOM_WAIT_MS = 50;

/** A partition this client's metadata does not know yet (a topic grown moments ago). */
export function isUnknownPartition(e: unknown): boolean {
  return (e as { code?: number })?.code === Kafka.CODES.ERRORS.ERR__UNKNOWN_PARTITION;
}

export function isQueueFull(e: unknown): boolean {
  return (e as { code?: number })?.code === Kafka.CODES.ERRORS.ERR__QUEUE_FULL;
}

/** Tries once: true when librdkafka took the message, false when its queue is full. */
export function tryProduce(
  producer: Kafka.Producer,
  topic: string,
  partition: number,
  value: Buffer | null,
  key: Buffer | null,
  headers?: Kafka.MessageHeader[],
): boolean {
  try {
    producer.produce(topic, partition, value, key, Date.now(), undefined, headers);
    return true;
  } catch (e) {
    if (isQueueFull(e)) return false;
    throw e;
  }
}

/** Lets librdkafka deliver for a moment (the queue drains as deliveries are acknowledged). */
export function waitForRoom(producer: Kafka.Producer): Promise<void> {
  return new Promise((resolve) => producer.flush(ROOM_WAIT_MS, () => resolve()));
}

/** produce(), waiting as long as the local queue is full. */
export async function produceWaiting(
  producer: Kafka.Producer,
  topic: string,
  partition: number,
  value: Buffer | null,
  key: Buffer | null,
  headers?: Kafka.MessageHeader[],
): Promise<void> {
  while (!tryProduce(producer, topic, partition, value, key, headers)) await waitForRoom(producer);
}
