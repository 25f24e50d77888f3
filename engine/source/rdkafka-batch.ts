/**
 * The two batch calls we add to node-rdkafka (src/batch.cc of scripts/node-rdkafka/patches/, applied and built by `npm ci`: docs/node-rdkafka.md):
 * messages cross between librdkafka and JavaScript as a few flat buffers per batch, not as a JS
 * object and two Buffers per message — that per-message cost capped node-rdkafka's consume() at
 * about a fifth of consumeBatch's rate (results/source-consume.json), and its produce() likewise
 * (results/producer-throughput.json).
 */
import type Kafka from 'node-rdkafka';
import { ServiceError } from '../errors/errors.js';

/** One partition's consecutive messages from one consumeBatch call. */
export interface Segment {
  partition: number;
  firstOffset: number;
  lastOffset: number;
  count: number;
  /** The values back to back. */
  values: ArrayBuffer;
  /**
   * Int32 [ends(count) | offsetDelta(count)], then Float64 timestamps(count): value i ends at
   * ends[i] (-1: null value); timestamps[i] is its Kafka record timestamp in ms (-1: none).
   */
  meta: ArrayBuffer;
  /** Int32 keyEnds(count) (-1: null key), then the key bytes back to back. */
  keys: ArrayBuffer;
}

export interface PartitionEof {
  partition: number;
  /** The partition's end offset. */
  offset: number;
}

/** An error librdkafka delivered for one partition inside a batch (never dropped). */
export interface PartitionError {
  partition: number;
  offset: number;
  /** librdkafka's error code (Kafka.CODES.ERRORS). */
  code: number;
  message: string;
}

export interface Batch {
  segments: Segment[];
  eofs: PartitionEof[];
  errors: PartitionError[];
}

interface NativeConsumer {
  consumeBatch(
    timeoutMs: number,
    max: number,
    cb: (
      err: Kafka.LibrdKafkaError | null,
      segments: Segment[],
      eofs: PartitionEof[],
      errors: PartitionError[] | undefined,
    ) => void,
  ): void;
}

interface NativeProducer {
  produceBatch(
    topic: string,
    partitions: Int32Array,
    values: Uint8Array,
    valueEnds: Int32Array,
    keys: Uint8Array,
    keyStarts: Int32Array,
    keyEnds: Int32Array,
    from: number,
    to: number,
  ): [number, number];
}

function native<T>(client: Kafka.KafkaConsumer | Kafka.Producer, method: string): T {
  const inner = (client as unknown as { _client: Record<string, unknown> })._client;
  if (typeof inner?.[method] !== 'function')
    throw new ServiceError(
      `node-rdkafka lacks ${method}: run \`npm ci\` (its postinstall applies the batch-call patch: docs/node-rdkafka.md)`,
      'RIA_ERR_NATIVE',
      false,
    );
  return inner as T;
}

/** Up to `max` messages (waiting at most `timeoutMs` for the first), grouped by partition. */
export function consumeBatch(consumer: Kafka.KafkaConsumer, timeoutMs: number, max: number): Promise<Batch> {
  const c = native<NativeConsumer>(consumer, 'consumeBatch');
  return new Promise((resolve, reject) =>
    c.consumeBatch(timeoutMs, max, (err, segments, eofs, errors) =>
      err ? reject(err) : resolve({ segments, eofs, errors: errors ?? [] }),
    ),
  );
}

/** The views of a segment's meta block. */
/**
 * Where value i starts in a segment's values: the end of the nearest earlier non-null value (a
 * null value's end is -1 and holds no bytes), else 0.
 */
export function valueStart(ends: Int32Array, i: number): number {
  for (let k = i - 1; k >= 0; k--) if (ends[k] >= 0) return ends[k];
  return 0;
}

export function segmentViews(s: Segment): {
  ends: Int32Array;
  offsetDelta: Int32Array;
  timestamps: Float64Array;
  keyEnds: Int32Array;
} {
  return {
    ends: new Int32Array(s.meta, 0, s.count),
    offsetDelta: new Int32Array(s.meta, 4 * s.count, s.count),
    timestamps: new Float64Array(s.meta, 8 * s.count, s.count),
    keyEnds: new Int32Array(s.keys, 0, s.count),
  };
}

/** Message i's key (a copy), or null. */
export function segmentKey(s: Segment, keyEnds: Int32Array, i: number): Buffer | null {
  const end = keyEnds[i];
  if (end < 0) return null;
  let start = 0;
  for (let j = i - 1; j >= 0; j--)
    if (keyEnds[j] >= 0) {
      start = keyEnds[j];
      break;
    }
  return Buffer.from(s.keys.slice(4 * s.count + start, 4 * s.count + end));
}

export interface ProduceChunk {
  partitions: Int32Array;
  values: Uint8Array;
  /** Value i is values[valueEnds[i-1] .. valueEnds[i]) (valueEnds[-1] = 0). */
  valueEnds: Int32Array;
  keys: Uint8Array;
  /** Key i is keys[keyStarts[i] .. keyEnds[i]); keyEnds[i] = -1: no key. */
  keyStarts: Int32Array;
  keyEnds: Int32Array;
}

/**
 * Enqueues messages from..to-1 of the chunk; returns how many were accepted and librdkafka's
 * error code where it stopped (0: none; ERR__QUEUE_FULL: poll and call again).
 */
export function produceBatch(
  producer: Kafka.Producer,
  topic: string,
  c: ProduceChunk,
  from: number,
  to: number,
): { accepted: number; code: number } {
  const p = native<NativeProducer>(producer, 'produceBatch');
  const [accepted, code] = p.produceBatch(
    topic,
    c.partitions,
    c.values,
    c.valueEnds,
    c.keys,
    c.keyStarts,
    c.keyEnds,
    from,
    to,
  );
  return { accepted, code };
}

/** A segment built in JavaScript (tests, benchmarks): the same layout consumeBatch returns. */
export function segmentOf(
  partition: number,
  firstOffset: number,
  messages: { value: Uint8Array | null; key?: Uint8Array | null; timestamp?: number }[],
): Segment {
  const count = messages.length;
  let valueBytes = 0;
  let keyBytes = 0;
  for (const m of messages) {
    valueBytes += m.value?.length ?? 0;
    keyBytes += m.key?.length ?? 0;
  }
  const values = new Uint8Array(valueBytes);
  const metaBlock = new ArrayBuffer(16 * count);
  const meta = new Int32Array(metaBlock, 0, 2 * count);
  const timestamps = new Float64Array(metaBlock, 8 * count, count);
  const keys = new ArrayBuffer(4 * count + keyBytes);
  const keyEnds = new Int32Array(keys, 0, count);
  const keyBytesView = new Uint8Array(keys, 4 * count);
  let v = 0;
  let k = 0;
  messages.forEach((m, i) => {
    if (m.value) {
      values.set(m.value, v);
      v += m.value.length;
      meta[i] = v;
    } else meta[i] = -1;
    meta[count + i] = i;
    timestamps[i] = m.timestamp ?? -1;
    if (m.key) {
      keyBytesView.set(m.key, k);
      k += m.key.length;
      keyEnds[i] = k;
    } else keyEnds[i] = -1;
  });
  return {
    partition,
    firstOffset,
    lastOffset: firstOffset + count - 1,
    count,
    values: values.buffer,
    meta: metaBlock,
    keys,
  };
}
