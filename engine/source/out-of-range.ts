/**
 * An offset that is no longer in the partition (OFFSET_OUT_OF_RANGE): the checkpoint says "read
 * partition p from offset o", but the log holds low..high without it — the topic was deleted and
 * recreated, retention removed data nobody had read, the log was truncated. Reading on from
 * another offset either skips events or counts some a second time, so it is never done silently:
 * `fail` (the default) stops the start with one line naming the partition, the offset and the
 * log's range; `earliest` / `latest` read on from the log's start / end with a WARNING and a count.
 * librdkafka's own reset is off (auto.offset.reset=error) so that it reports instead of resetting.
 */
import Kafka from 'node-rdkafka';
import { RiaError } from '../errors/errors.js';

export type OutOfRangePolicy = 'fail' | 'earliest' | 'latest';

const E = Kafka.CODES.ERRORS;

export function isOutOfRange(code: number): boolean {
  return code === E.ERR__AUTO_OFFSET_RESET || code === E.ERR_OFFSET_OUT_OF_RANGE;
}

/** Where to read on (`fail`: throws the one line), and the warning to say. */
export function outOfRangeDecision(
  policy: OutOfRangePolicy,
  where: { topic: string; partition: number; offset: number; low: number; high: number },
): { seekTo: number; warning: string } {
  const { topic, partition, offset, low, high } = where;
  const what = `partition ${partition} of ${topic}: offset ${offset} (the checkpoint's next) is not in its log, which holds ${low}..${high}`;
  if (policy === 'fail')
    throw new RiaError(
      `${what}: the topic was deleted and recreated, retention removed unread events, or the log was truncated; OFFSET_OUT_OF_RANGE=earliest or latest reads on from the log's start or end (a warning and a count), or restore the topic`,
      { code: 'RIA_ERR_OFFSET_OUT_OF_RANGE' },
    );
  const seekTo = policy === 'earliest' ? low : high;
  return {
    seekTo,
    warning: `WARNING: ${what}: reading on from offset ${seekTo}, its ${policy === 'earliest' ? 'start' : 'end'} (OFFSET_OUT_OF_RANGE=${policy})`,
  };
}

const TIMEOUT_MS = 15_000;

/**
 * The log's range asked of the broker and the decision taken (the caller moves the consumer
 * there: a partition in this error state cannot be seeked, only assigned again); undefined when
 * the offset is in the log after all.
 */
async function decideOutOfRange(
  consumer: Kafka.KafkaConsumer,
  policy: OutOfRangePolicy,
  at: { topic: string; partition: number; offset: number },
): Promise<{ seekTo: number; warning: string } | undefined> {
  const w = await new Promise<{ lowOffset: number; highOffset: number }>((resolve, reject) =>
    consumer.queryWatermarkOffsets(at.topic, at.partition, TIMEOUT_MS, (err, o) =>
      err ? reject(err) : resolve(o),
    ),
  );
  // In the log after all (a report from before the partition moved): nothing to do.
  if (at.offset >= w.lowOffset && at.offset <= w.highOffset) return undefined;
  return outOfRangeDecision(policy, { ...at, low: w.lowOffset, high: w.highOffset });
}

/**
 * After an offset out of range on `e.partition`: decides (or throws, `fail`), and moves the
 * consumer there by assigning every partition again where `positions` stand (librdkafka refuses
 * to seek a partition in that state); one that cannot be moved stops the loop, never looks idle.
 * Undefined: nothing to do (a report for a position already left, or in the log after all).
 */
export async function readOnAfterOutOfRange(
  consumer: Kafka.KafkaConsumer,
  policy: OutOfRangePolicy,
  topic: string,
  positions: Map<number, { next: number }>,
  e: { partition: number; offset: number },
): Promise<{ seekTo: number; warning: string } | undefined> {
  const p = positions.get(e.partition);
  // Reported again for a position already left (errors queued before the partition moved).
  if (!p || (e.offset >= 0 && e.offset !== p.next)) return undefined;
  const decided = await decideOutOfRange(consumer, policy, { topic, partition: e.partition, offset: p.next });
  if (!decided) return undefined;
  p.next = decided.seekTo;
  try {
    consumer.assign([...positions].map(([partition, q]) => ({ topic, partition, offset: q.next })));
  } catch (err) {
    throw new RiaError(
      `partition ${e.partition} of ${topic}: cannot read on from offset ${decided.seekTo}: ${(err as Error).message}`,
      { code: 'RIA_ERR_OFFSET_OUT_OF_RANGE', cause: err },
    );
  }
  return decided;
}
