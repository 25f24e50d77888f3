/**
 * What a running engine shows of itself — the dashboard's stream, /readyz and the status line —
 * as one plain object, built on demand from the engine's counts and its source's progress.
 */
import type { Health } from './health.js';
import type { Histogram, Latencies } from './latency.js';

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface LiveFigures {
  at: number;
  consumed: number;
  /** Events covered by flushes Elasticsearch has acknowledged (sum of committed offsets). */
  acknowledged: number;
  valid: number;
  invalid: number;
  late: number;
  flushes: number;
  lag: Record<number, number>;
  latency: { batchUs: Percentiles; flushMs: Percentiles; endToEndMs: Percentiles };
  kafka: { up: boolean; lastPollAgoMs: number };
  elasticsearch: { up: boolean; lastAckAgoMs: number | null; lastProblem: string | null };
  restored: boolean;
}

export function percentilesOf(h: Histogram): Percentiles {
  return { p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue };
}

export function latencyFiguresOf(l: Latencies): LiveFigures['latency'] {
  return {
    batchUs: percentilesOf(l.batchUs),
    flushMs: percentilesOf(l.flushMs),
    endToEndMs: percentilesOf(l.endToEndMs),
  };
}

/** One status line (STATUS_INTERVAL_MS): rates and totals, the recent interval's latencies. */
export function statusLineOf(f: LiveFigures, eventsPerSecond: number, latencies: Latencies): string {
  const lag = Object.values(f.lag).reduce((a, b) => a + b, 0);
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  return `engine: ${Math.round(eventsPerSecond)} events/s | valid ${f.valid} invalid ${f.invalid} late ${f.late} | lag ${lag} | flushes ${f.flushes} | ${latencies.summary()} | ${latencies.takeRecent()} | rss ${rss} MiB`;
}

/** What live figures are made of: the engine's counts and its parts' state. */
export interface LiveInputs {
  counts: { consumed: number; valid: number; invalid: number; late: number; flushes: number };
  acknowledged: number;
  lag: Map<number, number>;
  latencies: Latencies;
  health: Health;
  /** When a consume call last returned (performance.now()). */
  lastPollAt: number;
}

export function liveFiguresOf(x: LiveInputs): LiveFigures {
  const up = x.health.connections();
  return {
    at: Date.now(),
    ...x.counts,
    acknowledged: x.acknowledged,
    lag: Object.fromEntries(x.lag),
    latency: latencyFiguresOf(x.latencies),
    kafka: { up: up.kafka, lastPollAgoMs: Math.round(performance.now() - x.lastPollAt) },
    elasticsearch: {
      up: up.elasticsearch,
      lastAckAgoMs: x.health.lastAckAgoMs(),
      lastProblem: x.health.problemMessage,
    },
    restored: x.health.restored,
  };
}
