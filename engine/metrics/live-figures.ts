/**
 * What a running engine shows of itself — the dashboard's stream, /readyz and the status line —
 * as one plain object, built on demand from the engine's counts and its source's progress.
 */
import type { Health } from './health.js';
import type { Latencies } from './latency.js';

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
  /** Over the last complete interval (LIVE_INTERVAL_MS), not since start. */
  latency: { batchUs: Percentiles; flushMs: Percentiles; endToEndMs: Percentiles };
  kafka: { up: boolean; lastPollAgoMs: number };
  elasticsearch: { up: boolean; lastAckAgoMs: number | null; lastProblem: string | null };
  restored: boolean;
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
    latency: x.latencies.intervalPercentiles(),
    kafka: { up: up.kafka, lastPollAgoMs: Math.round(performance.now() - x.lastPollAt) },
    elasticsearch: {
      up: up.elasticsearch,
      lastAckAgoMs: x.health.lastAckAgoMs(),
      lastProblem: x.health.problemMessage,
    },
    restored: x.health.restored,
  };
}
