/**
 * What the engine knows of its own health: when its loop last turned, when Elasticsearch last
 * acknowledged a flush, the last retried problem, and whether the checkpoint is restored. The
 * connection gauges, /healthz and /readyz read it.
 */
/** Kafka counts as reachable while a consume call returned this recently. */
const KAFKA_SILENCE_MS = 10_000;

export class Health {
  private lastLoopAt = performance.now();
  private lastAckAt: number | undefined;
  private lastProblem: { at: number; message: string } | undefined;
  restored = false;

  loopTurned(): void {
    this.lastLoopAt = performance.now();
  }

  acknowledged(): void {
    this.lastAckAt = performance.now();
  }

  problem(message: string): void {
    this.lastProblem = { at: performance.now(), message };
  }

  /** Milliseconds since the main loop last turned. */
  loopAgeMs(): number {
    return Math.round(performance.now() - this.lastLoopAt);
  }

  lastAckAgoMs(): number | null {
    return this.lastAckAt === undefined ? null : Math.round(performance.now() - this.lastAckAt);
  }

  get problemMessage(): string | null {
    return this.lastProblem?.message ?? null;
  }

  /** Elasticsearch is up unless a problem came after the last acknowledged flush. */
  connections(lastPollAt: number): { kafka: boolean; elasticsearch: boolean } {
    const es =
      this.lastProblem === undefined ||
      (this.lastAckAt !== undefined && this.lastAckAt > this.lastProblem.at);
    return { kafka: this.restored && performance.now() - lastPollAt < KAFKA_SILENCE_MS, elasticsearch: es };
  }
}
