/**
 * What a KafkaJS user sets up to read our topics as well as they can be read: KafkaJS ships no
 * LZ4 codec (our producer compresses with lz4), so register a native one (`lz4`: the reference C
 * library, as librdkafka uses; the pure-JS lz4js the peers had before was an unfair handicap),
 * and fetch like the engine does (engine/source/fetch-settings.ts): a consumer's
 * largest CPU saving at a steady rate was not answering every fetch at once.
 */
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { FETCH_SETTINGS } from '../../engine/source/fetch-settings.js';

const require = createRequire(import.meta.url);
const lz4 = require('lz4') as { encode(b: Buffer): Buffer; decode(b: Buffer): Buffer };

export function registerLz4(): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    async compress(encoder: { buffer: Buffer }) {
      return lz4.encode(encoder.buffer);
    },
    async decompress(buffer: Buffer) {
      return lz4.decode(buffer);
    },
  });
}

/** The engine's fetch settings in KafkaJS's terms (its consumer options). */
export const KAFKAJS_FETCH = {
  minBytes: FETCH_SETTINGS['fetch.min.bytes'],
  maxWaitTimeInMs: 100, // the engine's fetch.wait.max.ms (engine/source/kafka-source.ts)
  maxBytesPerPartition: FETCH_SETTINGS['max.partition.fetch.bytes'],
  maxBytes: 64 << 20,
};
