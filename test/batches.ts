/**
 * Hand-made batches for tests: events as the pool sees them (a BatchTask of JSON values), so
 * tests of the state and of the flusher feed it through the pool's own decoder.
 */
import type { BatchTask } from '../engine/shared/messages.js';

export interface TestEvent {
  user: number;
  item: number;
  /** Event time, ms after `t0`. */
  dt: number;
  /** interaction_type, price_usd, category, session_id: left out when undefined. */
  type?: string | null;
  price?: number | null;
  category?: string | null;
  session?: string | null;
}

export interface TaskShape {
  t0: number;
  windowMs: number;
  allowedLatenessMs: number;
  /** SESSION_GAP_MS (default 30 min). */
  sessionGapMs?: number;
}

export function batchTask(
  partition: number,
  events: TestEvent[],
  partitionMax: number,
  firstOffset: number,
  shape: TaskShape,
): BatchTask {
  const bufs = events.map((e) =>
    Buffer.from(
      JSON.stringify({
        user_id: `u${e.user}`,
        item_id: `i${e.item}`,
        timestamp: new Date(shape.t0 + e.dt).toISOString(),
        interaction_type: e.type,
        price_usd: e.price,
        category: e.category,
        session_id: e.session,
      }),
    ),
  );
  const values = new ArrayBuffer(bufs.reduce((a, b) => a + b.length, 0));
  const bytes = new Uint8Array(values);
  const ends = new Int32Array(bufs.length);
  let pos = 0;
  bufs.forEach((b, k) => {
    bytes.set(b, pos);
    pos += b.length;
    ends[k] = pos;
  });
  return {
    partition,
    firstOffset,
    values,
    ends,
    offsetDelta: Int32Array.from(bufs, (_, k) => k),
    timestamps: new Float64Array(bufs.length).fill(-1),
    maxAheadMs: Number.POSITIVE_INFINITY,
    partitionMax,
    windowMs: shape.windowMs,
    allowedLatenessMs: shape.allowedLatenessMs,
    sessionGapMs: shape.sessionGapMs ?? 1_800_000,
    format: 'json',
    range: { minMs: 0, maxMs: 4e12 },
    sampleEvery: 1000,
  };
}
