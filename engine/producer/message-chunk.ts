/**
 * Messages gathered for one produceBatch call (rdkafka-batch.ts): values written back to back into
 * one reused buffer, keys pointing into a fixed arena of every user id's bytes (made once), so a
 * chunk of thousands of events costs a handful of JS objects and one native call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Kafka from 'node-rdkafka';
import { RiaError } from '../errors/errors.js';
import { type ProduceChunk, produceBatch } from '../source/rdkafka-batch.js';
import { ByteWriter } from './byte-writer.js';

/** Every key's bytes back to back, with start/end per key index. */
export class KeyArena {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(keys: readonly string[]) {
    const encoded = keys.map((k) => Buffer.from(k, 'utf8'));
    this.bytes = new Uint8Array(Buffer.concat(encoded));
    this.starts = new Int32Array(keys.length);
    this.ends = new Int32Array(keys.length);
    let pos = 0;
    encoded.forEach((b, i) => {
      this.starts[i] = pos;
      pos += b.length;
      this.ends[i] = pos;
    });
  }
}

/** Room kept free before each message: the largest one the maker writes (its buffer). */
const MAX_MESSAGE_BYTES = 64 * 1024;

export class MessageChunk {
  count = 0;
  private readonly chunk: ProduceChunk;
  private out: ByteWriter;

  constructor(
    readonly capacity: number,
    private readonly arena: KeyArena,
  ) {
    this.chunk = {
      partitions: new Int32Array(capacity),
      values: Buffer.alloc(capacity * 300 + MAX_MESSAGE_BYTES),
      valueEnds: new Int32Array(capacity),
      keys: arena.bytes,
      keyStarts: new Int32Array(capacity),
      keyEnds: new Int32Array(capacity),
    };
    this.out = new ByteWriter(this.chunk.values);
  }

  /** The messages committed so far (0..count), as produceBatch takes them. */
  get contents(): ProduceChunk {
    return this.chunk;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Where the next value is to be written (then `commit`); has room for any message. */
  get writer(): ByteWriter {
    const c = this.chunk;
    if (c.values.length - this.out.pos < MAX_MESSAGE_BYTES) {
      const grown = Buffer.alloc(2 * c.values.length);
      grown.set(c.values.subarray(0, this.out.pos));
      c.values = grown;
      const pos = this.out.pos;
      this.out = new ByteWriter(grown);
      this.out.pos = pos;
    }
    return this.out;
  }

  /** The value written since the last commit is message `count`, keyed by arena key `keyIndex`. */
  commit(partition: number, keyIndex: number): void {
    const c = this.chunk;
    const i = this.count++;
    c.valueEnds[i] = this.out.pos;
    c.partitions[i] = partition;
    c.keyStarts[i] = this.arena.starts[keyIndex];
    c.keyEnds[i] = this.arena.ends[keyIndex];
  }

  /**
   * Hands every message to librdkafka and empties the chunk. A full local queue is back-pressure:
   * poll (delivery reports), wait a little, go on from where it stopped. Any other error throws.
   */
  async send(producer: Kafka.Producer, topic: string): Promise<void> {
    let from = 0;
    while (from < this.count) {
      const { accepted, code } = produceBatch(producer, topic, this.chunk, from, this.count);
      from += accepted;
      if (from === this.count) break;
      if (code !== Kafka.CODES.ERRORS.ERR__QUEUE_FULL)
        throw Object.assign(
          new RiaError(`produce failed: ${errorName(code)}`, { code: 'RIA_ERR_KAFKA_PRODUCE' }),
          {
            rdkafkaCode: code,
          },
        );
      producer.poll();
      await sleep(5);
    }
    this.count = 0;
    this.out.pos = 0;
  }
}

function errorName(code: number): string {
  return Object.entries(Kafka.CODES.ERRORS).find(([, v]) => v === code)?.[0] ?? `librdkafka error ${code}`;
}
