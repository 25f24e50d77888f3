/**
 * KafkaJS ships no LZ4 codec (our producer compresses with lz4): register one built on lz4js
 * (pure JS, the LZ4 frame format Kafka uses), as KafkaJS's docs show for other codecs.
 */
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';

const require = createRequire(import.meta.url);
const lz4 = require('lz4js') as {
  compress(b: Uint8Array): number[] | Uint8Array;
  decompress(b: Uint8Array): number[] | Uint8Array;
};

export function registerLz4(): void {
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    async compress(encoder: { buffer: Buffer }) {
      return Buffer.from(lz4.compress(encoder.buffer));
    },
    async decompress(buffer: Buffer) {
      return Buffer.from(lz4.decompress(buffer));
    },
  });
}
