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

/**
 * One status line (STATUS_INTERVAL_MS), at most 120 columns whatever the figures: rates and totals
 * and the recent interval's latencies. Everything else is in /metrics.
 */
export function statusLineOf(
  f: LiveFigures,
  eventsPerSecond: number,
  latencies: Latencies,
  who = 'engine',
): string {
  const lag = Object.values(f.lag).reduce((a, b) => a + b, 0);
  const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
  const r = latencies.recentPercentiles();
  const line = `${who}: ${short(eventsPerSecond)} ev/s | valid ${short(f.valid)} invalid ${short(f.invalid)} late ${short(f.late)} | lag ${short(lag)} | flush p99 ${r.flushP99} ms | event→ES p99 ${r.endToEndP99} ms | rss ${rss} MiB`;
  return line.length <= 120 ? line : `${line.slice(0, 119)}…`;
}

/** 1234 → 1234, 12345678 → 12.3M: counts stay a few characters wide. */
function short(n: number): string {
  const v = Math.round(n);
  if (v < 100_000) return String(v);
  if (v < 100_000_000) return `${(v / 1e6).toFixed(1)}M`;
  return `${(v / 1e9).toFixed(1)}G`;
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
