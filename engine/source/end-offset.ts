/**
 * A partition's end (high watermark), asked of the broker. A topic created a moment ago may not be
 * in this client's metadata yet ("Unknown partition"): asked again for a while before giving up.
 */
import Kafka from 'node-rdkafka';

const TIMEOUT_MS = 15_000;
const RETRY_MS = 250;
const UNKNOWN_FOR_MS = 10_000;

export async function endOffset(
  consumer: Kafka.KafkaConsumer,
  topic: string,
  partition: number,
): Promise<number> {
  for (let waited = 0; ; waited += RETRY_MS) {
    try {
      return await new Promise<number>((resolve, reject) =>
        consumer.queryWatermarkOffsets(topic, partition, TIMEOUT_MS, (e, o) =>
          e ? reject(e) : resolve(o.highOffset),
        ),
      );
    } catch (e) {
      if (
        (e as Kafka.LibrdKafkaError).code !== Kafka.CODES.ERRORS.ERR__UNKNOWN_PARTITION ||
        waited > UNKNOWN_FOR_MS
      )
        throw e;
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
