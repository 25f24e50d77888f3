/**
 * For tests: a batch of message values (null: a null value) through the pool's own path,
 * decodeBatch, with the engine's default settings; `over` changes any of them.
 */
import { decodeBatch } from './batch-decode.js';
import type { BatchDelta, BatchTask } from './messages.js';

export function decodeValues(values: (Uint8Array | null)[], over: Partial<BatchTask> = {}): BatchDelta {
  const total = values.reduce((a, v) => a + (v ? v.length : 0), 0);
  const buf = new Uint8Array(total);
  const ends = new Int32Array(values.length);
  let pos = 0;
  values.forEach((v, k) => {
    if (v) {
      buf.set(v, pos);
      pos += v.length;
      ends[k] = pos;
    } else ends[k] = -1;
  });
  return decodeBatch({
    partition: 0,
    firstOffset: 0,
    values: buf.buffer,
    ends,
    offsetDelta: Int32Array.from(values, (_, k) => k),
    timestamps: new Float64Array(values.length).fill(-1),
    maxAheadMs: Number.POSITIVE_INFINITY,
    partitionMax: Number.NEGATIVE_INFINITY,
    windowMs: 1000,
    allowedLatenessMs: 1000,
    sessionGapMs: 1_800_000,
    format: 'json',
    range: { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) },
    sampleEvery: 64,
    ...over,
  });
}
