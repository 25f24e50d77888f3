/**
 * What the engine knows of its own health, for the orchestrator's two questions:
 *   - liveness (/healthz): is this process wedged? Waiting — for Elasticsearch, for the broker,
 *     under back-pressure of any length — is not wedged: an orchestrator must not restart an
 *     engine that waits, so liveness only needs the event loop to answer.
 *   - readiness (/readyz): is it restored, consuming and acknowledged? If not, the true reasons.
 */
import type { GaugeSource } from './prometheus.js';

/**
 * Kafka counts as unreachable while librdkafka reported the broker lost this recently and no
 * message came since (it reports again at each failed reconnect, at most 10 s apart by default).
 */
const KAFKA_LOST_MS = 15_000;

interface Problem {
  at: number;
  message: string;
}

export class Health {
  /** `now`: the clock, in ms (injected by tests). */
  constructor(private readonly now: () => number = () => performance.now()) {
    this.lastLoopAt = now();
  }

  /** The state gauges of /metrics, read from here and from the role's source. */
  gauges(lag: () => Map<number, number>, unflushed: () => number): GaugeSource {
    return {
      lag,
      unflushed,
      connections: () => this.connections(),
      ready: () => this.notReadyBecause().length === 0,
      paused: () => this.paused !== undefined || this.waitingForRegistry !== undefined,
    };
  }

  private lastLoopAt: number;
  private lastAckAt: number | undefined;
  private esProblem: Problem | undefined;
  private kafkaProblem: Problem | undefined;
  private kafkaOkAt = 0;
  /** Why the loop waits on purpose (back-pressure), or undefined. */
  paused: string | undefined;
  /**
   * Why Avro batches are held (the schema registry cannot be asked), or undefined: apart from
   * `paused`, which the loop clears at every turn, so that /readyz says it for the whole outage.
   */
  waitingForRegistry: string | undefined;
  restored = false;

  loopTurned(): void {
    this.lastLoopAt = this.now();
  }

  acknowledged(): void {
    this.lastAckAt = this.now();
  }

  /** Messages came from Kafka, or the broker answered a metadata request: it is reachable. */
  polled(): void {
    this.kafkaOkAt = this.now();
  }

  problem(service: 'kafka' | 'elasticsearch', message: string): void {
    const p = { at: this.now(), message };
    if (service === 'kafka') this.kafkaProblem = p;
    else this.esProblem = p;
  }

  /** Milliseconds since the main loop last turned (it may wait on purpose: see paused). */
  loopAgeMs(): number {
    return Math.round(this.now() - this.lastLoopAt);
  }

  lastAckAgoMs(): number | null {
    return this.lastAckAt === undefined ? null : Math.round(this.now() - this.lastAckAt);
  }

  get problemMessage(): string | null {
    const latest = [this.esProblem, this.kafkaProblem]
      .filter((p) => p !== undefined)
      .sort((a, b) => b.at - a.at)[0];
    return latest?.message ?? null;
  }

  /** Elasticsearch is up unless a problem came after the last acknowledged flush; Kafka likewise for polls. */
  connections(): { kafka: boolean; elasticsearch: boolean } {
    const es =
      this.esProblem === undefined || (this.lastAckAt !== undefined && this.lastAckAt > this.esProblem.at);
    return { kafka: this.restored && !this.kafkaFailing(), elasticsearch: es };
  }

  private kafkaFailing(): boolean {
    const p = this.kafkaProblem;
    return p !== undefined && p.at > this.kafkaOkAt && this.now() - p.at < KAFKA_LOST_MS;
  }

  /** Why the engine is not ready (empty: ready). */
  notReadyBecause(): string[] {
    if (!this.restored) return ['restoring the checkpoint'];
    const reasons: string[] = [];
    const c = this.connections();
    if (this.paused) reasons.push(this.paused);
    if (this.waitingForRegistry) reasons.push(this.waitingForRegistry);
    if (!c.kafka)
      reasons.push(`kafka broker unreachable: ${this.kafkaProblem?.message.replace(/^kafka: /, '')}`);
    if (!c.elasticsearch) reasons.push(`elasticsearch: ${this.esProblem?.message}`);
    return reasons;
  }
}
