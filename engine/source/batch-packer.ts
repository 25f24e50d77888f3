/**
 * A consumed segment (one partition's consecutive messages, rdkafka-batch.ts) → a BatchTask for a
 * pool worker. Its values and meta blocks are transferred (moved, not cloned); the keys stay on the
 * main thread for the dead letters.
 */
import type { EventFormat, TimeRange } from '../shared/event-reference.js';
import type { AvroWriter, BatchTask } from '../shared/messages.js';
import { type Segment, segmentViews } from './rdkafka-batch.js';

export interface PackSettings {
  windowMs: number;
  allowedLatenessMs: number;
  sessionGapMs: number;
  format: EventFormat;
  range: TimeRange;
  sampleEvery: number;
  /** MAX_EVENT_AHEAD_MS (Infinity: no check). */
  maxAheadMs: number;
}

/** `avro`: the writer schemas of the segment's Avro messages (undefined: no registry configured). */
export function taskOf(
  s: Segment,
  partitionMax: number,
  settings: PackSettings,
  avro?: AvroWriter[],
): BatchTask {
  const { ends, offsetDelta, timestamps } = segmentViews(s);
  return {
    partition: s.partition,
    firstOffset: s.firstOffset,
    values: s.values,
    ends,
    offsetDelta,
    timestamps,
    maxAheadMs: settings.maxAheadMs,
    partitionMax,
    windowMs: settings.windowMs,
    allowedLatenessMs: settings.allowedLatenessMs,
    sessionGapMs: settings.sessionGapMs,
    format: settings.format,
    range: settings.range,
    sampleEvery: settings.sampleEvery,
    avro,
  };
}
