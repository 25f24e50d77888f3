/**
 * Consecutive messages of one partition → a BatchTask: the values copied back to back into one
 * ArrayBuffer that is then transferred (moved, not cloned) to a pool worker.
 */
import type Kafka from 'node-rdkafka';
import type { EventFormat, TimeRange } from '../shared/event-reference.js';
import type { BatchTask } from '../shared/messages.js';

export interface PackSettings {
  windowMs: number;
  allowedLatenessMs: number;
  format: EventFormat;
  range: TimeRange;
  sampleEvery: number;
}

export function packBatch(messages: Kafka.Message[], partitionMax: number, s: PackSettings): BatchTask {
  let total = 0;
  for (const m of messages) total += m.value ? m.value.length : 0;
  const values = new ArrayBuffer(total);
  const bytes = new Uint8Array(values);
  const ends = new Int32Array(messages.length);
  const offsetDelta = new Int32Array(messages.length);
  const first = messages[0].offset;
  let pos = 0;
  for (let k = 0; k < messages.length; k++) {
    const m = messages[k];
    if (m.value) {
      bytes.set(m.value, pos);
      pos += m.value.length;
      ends[k] = pos;
    } else ends[k] = -1;
    offsetDelta[k] = m.offset - first;
  }
  return {
    partition: messages[0].partition,
    firstOffset: first,
    values,
    ends,
    offsetDelta,
    partitionMax,
    windowMs: s.windowMs,
    allowedLatenessMs: s.allowedLatenessMs,
    format: s.format,
    range: s.range,
    sampleEvery: s.sampleEvery,
  };
}
