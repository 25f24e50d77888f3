/**
 * Kafka's default partitioner for keyed records (murmur2 of the key bytes, as the Java client and
 * librdkafka's `murmur2_random` do). The producer picks partitions itself so that the ground
 * truth knows each event's partition, and hence its lateness, while it produces.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const len = data.length;
  let h = 0x9747b28c ^ len;
  const n4 = len & ~3;
  for (let i = 0; i < n4; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  // The 1-3 tail bytes, highest first (the reference falls through a switch).
  const tail = len & 3;
  if (tail === 3) h ^= data[n4 + 2] << 16;
  if (tail >= 2) h ^= data[n4 + 1] << 8;
  if (tail >= 1) {
    h ^= data[n4];
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key)) & 0x7fffffff) % partitions;
}
