/**
 * Prometheus metrics (prom-client), in one registry the engine updates and /metrics serves.
 * Latency histograms here are fed from the same samples as the HDR histograms of the status line.
 * Gauges of state (lag, connections) are read when scraped, through `collect()`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchDelta } from '../shared/messages.js';
import { registerEventLoopDelay } from './event-loop-delay.js';

/** What the state gauges read at each scrape. */
export interface GaugeSource {
  lag(): Map<number, number>;
  connections(): { kafka: boolean; elasticsearch: boolean };
  /** Ready (/readyz 200) and paused on purpose (back-pressure). */
  ready(): boolean;
  paused(): boolean;
  /** Batches counted and not yet in an acknowledged flush (0 for a counter: see transactions). */
  unflushed(): number;
}

export class EngineMetrics {
  readonly registry = new Registry();
  constructor(private readonly state: GaugeSource) {
    // process_cpu_seconds_total, process_resident_memory_bytes, process_start_time_seconds,
    // nodejs_eventloop_lag_seconds…: what dashboards and restart alerts expect. The event-loop
    // delay figures are ours (event-loop-delay.ts says why); prom-client's own sampler, still
    // created by its defaults, is told to wake once a minute, as it feeds nothing served.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 60_000 });
    registerEventLoopDelay(this.registry);
  }

  readonly ready = new Gauge({
    name: 'ria_ready',
    help: '1 when /readyz answers 200 (restored, consuming, acknowledged)',
    registers: [this.registry],
    collect: () => {
      this.ready.set(this.state.ready() ? 1 : 0);
    },
  });
  readonly paused = new Gauge({
    name: 'ria_paused',
    help: '1 while consumption waits on purpose (back-pressure: Elasticsearch behind, dead letters waiting)',
    registers: [this.registry],
    collect: () => {
      this.paused.set(this.state.paused() ? 1 : 0);
    },
  });
  readonly unflushed = new Gauge({
    name: 'ria_unflushed_batches',
    help: 'Batches counted but not yet in a flush Elasticsearch acknowledged',
    registers: [this.registry],
    collect: () => {
      this.unflushed.set(this.state.unflushed());
    },
  });
  readonly lastAck = new Gauge({
    name: 'ria_last_flush_acknowledged_timestamp_seconds',
    help: 'When Elasticsearch last acknowledged a flush (or the engine finished restoring), Unix seconds',
    registers: [this.registry],
  });

  readonly events = new Counter({
    name: 'ria_events_total',
    help: 'Events consumed, by outcome (valid, invalid, late: late ones are also valid)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly purchasesWithoutPrice = new Counter({
    name: 'ria_purchases_without_price_total',
    help: 'Purchases without a price_usd: counted as purchases, with no revenue (docs/contract.md)',
    registers: [this.registry],
  });
  readonly sessionLate = new Counter({
    name: 'ria_session_late_events_total',
    help: 'Valid events behind their partition watermark: in no session, counted everywhere else',
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'ria_dead_letters_total',
    help: 'Messages written to the dead-letter topic',
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'ria_consumer_lag',
    help: 'Messages behind the end of each partition',
    labelNames: ['partition'],
    registers: [this.registry],
    collect: () => {
      this.lag.reset();
      for (const [p, l] of this.state.lag()) this.lag.set({ partition: String(p) }, l);
    },
  });
  readonly flushes = new Counter({
    name: 'ria_flushes_total',
    help: 'Flushes made durable and acknowledged by Elasticsearch',
    registers: [this.registry],
  });
  readonly documents = new Counter({
    name: 'ria_bulk_documents_total',
    help: 'Documents written to Elasticsearch',
    registers: [this.registry],
  });
  readonly refused = new Counter({
    name: 'ria_es_refused_documents_total',
    help: 'Documents Elasticsearch refused (each refusal of a retried document counts), by index and reason',
    labelNames: ['index', 'reason'],
    registers: [this.registry],
  });
  readonly problems = new Counter({
    name: 'ria_problems_total',
    help: 'Retried failures (Elasticsearch, Kafka)',
    registers: [this.registry],
  });
  readonly repairs = new Counter({
    name: 'ria_repairs_total',
    help: "Repairs the engine made by itself, by kind (a torn checkpoint tail dropped, a dead engine's lock taken over, versions moved past the indices, documents rewritten)",
    labelNames: ['what'],
    registers: [this.registry],
  });
  readonly flushSeconds = new Histogram({
    name: 'ria_flush_duration_seconds',
    help: 'Flush round trip: checkpoint + bulk until acknowledged',
    // Fine around a steady rate's flush cycle, coarse above (results/engine-steady-cost.json).
    buckets: [0.01, 0.025, 0.04, 0.05, 0.06, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'ria_batch_duration_seconds',
    help: 'Pool worker time per batch',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly endToEndSeconds = new Histogram({
    name: 'ria_event_to_ack_seconds',
    help: 'Event time to the document acknowledged by Elasticsearch (sampled events)',
    buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly eventToConsumeSeconds = new Histogram({
    name: 'ria_event_to_consume_seconds',
    help: 'Event time to its batch taken from Kafka: producer linger, broker, fetch wait, batch linger (sampled events)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly consumeToFlushSeconds = new Histogram({
    name: 'ria_consume_to_flush_seconds',
    help: 'Batch taken from Kafka to the start of the flush that covers it: the flush interval and the pool (sampled events)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly up = new Gauge({
    name: 'ria_connection_up',
    help: '1 when the connection works, by service',
    labelNames: ['service'],
    registers: [this.registry],
    collect: () => {
      const c = this.state.connections();
      this.up.set({ service: 'kafka' }, c.kafka ? 1 : 0);
      this.up.set({ service: 'elasticsearch' }, c.elasticsearch ? 1 : 0);
    },
  });

  /** One batch counted (by this engine's pool or, in a merger, by a counter). */
  countDelta(d: BatchDelta): void {
    const invalid = d.invalidIndex.length;
    this.events.inc({ outcome: 'valid' }, d.valid);
    if (d.late > 0) this.events.inc({ outcome: 'late' }, d.late);
    if (d.purchasesWithoutPrice > 0) this.purchasesWithoutPrice.inc(d.purchasesWithoutPrice);
    if (d.sessionLate > 0) this.sessionLate.inc(d.sessionLate);
    if (invalid > 0) {
      this.events.inc({ outcome: 'invalid' }, invalid);
      this.deadLetters.inc(invalid);
    }
    this.batchSeconds.observe(d.workerNs / 1e9);
  }

  /** One flush acknowledged: its documents, round trip and sampled event→ES latencies (ms). */
  countFlush(docs: number, ms: number, latenciesMs: Float64Array): void {
    this.flushes.inc();
    this.lastAck.set(Date.now() / 1000);
    this.documents.inc(docs);
    this.flushSeconds.observe(ms / 1000);
    for (const l of latenciesMs) this.endToEndSeconds.observe(l / 1000);
  }
}
