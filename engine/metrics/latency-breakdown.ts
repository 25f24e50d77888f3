/**
 * Where an event's way to Elasticsearch goes (docs/monitoring.md): of its event time → acknowledged
 * (ria_event_to_ack_seconds), the part until the engine took its batch from Kafka (the producer's
 * linger, the broker, the fetch wait, BATCH_LINGER_MS) and the part until the flush that covers it
 * began (waiting for FLUSH_INTERVAL_MS, the pool); the rest is the flush cycle itself
 * (ria_flush_duration_seconds). For the same sampled events as the end-to-end histogram.
 */
export interface BreakdownSink {
  /** Event time → its batch taken from Kafka, ms. */
  eventToConsume(ms: number): void;
  /** Batch taken from Kafka → the flush covering it begins, ms. */
  consumeToFlush(ms: number): void;
}

export class LatencyBreakdown {
  /** When each sampled event's batch was taken, for the events the next flush covers. */
  private arrivals: number[] = [];

  constructor(private readonly sink: BreakdownSink) {}

  /** A batch taken at `arrivedAt` (wall clock, ms) with these sampled event times was counted. */
  consumed(arrivedAt: number, sampledTimes: Float64Array): void {
    for (const t of sampledTimes) {
      this.sink.eventToConsume(Math.max(0, arrivedAt - t));
      this.arrivals.push(arrivedAt);
    }
  }

  /** A flush begins at `at` (wall clock, ms): it covers every batch counted so far. */
  flushStarted(at: number): void {
    for (const a of this.arrivals) this.sink.consumeToFlush(Math.max(0, at - a));
    this.arrivals = [];
  }
}
