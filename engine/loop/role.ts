/**
 * What the one loop (role-loop.ts) asks of a role — the single engine and the merger
 * (aggregator.ts), a scaled-out counter (scale/counter.ts). The loop does the rest: the turns,
 * the flush interval, health, the status line, the stop.
 */

import type { LiveCheck } from '../shared/messages.js';
import type { BatchStream } from '../source/batch-stream.js';
import type { Segment } from '../source/rdkafka-batch.js';
import type { Source } from '../source/source-group.js';

export interface Role {
  /** Where the role's batches come from (what the loop uses of its batch stream). */
  readonly batches: Pick<BatchStream, 'next' | 'throwIfFailed' | 'settle' | 'lastPollAt'>;
  /** Its source (lag, in /metrics and the status line). */
  readonly source: Pick<Source, 'lag'>;
  /** Batches taken and not yet acknowledged (back-pressure, /metrics). */
  readonly unflushed: number;
  /** Workers of its pool (0: none, a merger). */
  readonly poolSize: number;
  /** A flush is under way: the next one waits for it. */
  readonly flushing: boolean;
  /** Restores, connects and takes partitions; the loop says "restored" after it. */
  start(): Promise<void>;
  /** Before each consume call (back-pressure, rebalances, new partitions). */
  beforeBatch(now: number): Promise<void>;
  /** One consume call's segments: counted on the pool, or merged from the counters' records. */
  process(segments: Segment[]): void;
  /** Due every FLUSH_INTERVAL_MS: resolves true when caught up, idle, and nothing is left to write. */
  flush(): Promise<boolean>;
  /** The graceful stop's last flush: everything taken so far made durable. */
  finish(): Promise<void>;
  /** After the loop, whatever happened; the batches at the pool have finished. */
  close(): Promise<void>;
  /** Every document against the state, where the role keeps documents (ria verify --live). */
  verifyLive?(): Promise<LiveCheck>;
}
