/**
 * The periodic status line (STATUS_INTERVAL_MS): for a person, at most 120 columns (STATUS_FORMAT
 * text); for a program — a log pipeline, the soak benchmark — one JSON object per line (json). The
 * same figures either way: rates and totals, and the latencies of the interval since the last line.
 */

import type { Latencies } from './latency.js';
import type { LiveFigures } from './live-figures.js';

/** What one status line says. */
export interface StatusFigures {
  who: string;
  /** Wall-clock time of the line, ms since the epoch. */
  at: number;
  eventsPerSecond: number;
  valid: number;
  invalid: number;
  late: number;
  lag: number;
  /** Since the previous line (HDR histograms reset each line), ms. */
  flushP50: number;
  flushP99: number;
  endToEndP50: number;
  endToEndP99: number;
  endToEndMax: number;
  rssMiB: number;
}

export function statusOf(
  f: LiveFigures,
  eventsPerSecond: number,
  latencies: Latencies,
  who = 'engine',
): StatusFigures {
  const r = latencies.recentPercentiles();
  return {
    who,
    at: Date.now(),
    eventsPerSecond: Math.round(eventsPerSecond),
    valid: f.valid,
    invalid: f.invalid,
    late: f.late,
    lag: Object.values(f.lag).reduce((a, b) => a + b, 0),
    flushP50: r.flushP50,
    flushP99: r.flushP99,
    endToEndP50: r.endToEndP50,
    endToEndP99: r.endToEndP99,
    endToEndMax: r.endToEndMax,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

/** For a person: at most 120 columns whatever the figures; everything else is in /metrics. */
export function statusText(s: StatusFigures): string {
  const line = `${s.who}: ${short(s.eventsPerSecond)} ev/s | valid ${short(s.valid)} invalid ${short(s.invalid)} late ${short(s.late)} | lag ${short(s.lag)} | flush p99 ${s.flushP99} ms | event→ES p99 ${s.endToEndP99} ms | rss ${s.rssMiB} MiB`;
  return line.length <= 120 ? line : `${line.slice(0, 119)}…`;
}

/** For a program: `{"status":{…}}` on one line. */
export function statusJson(s: StatusFigures): string {
  return JSON.stringify({ status: s });
}

/** The figures of a `statusJson` line; undefined for any other line. */
export function parseStatusJson(line: string): StatusFigures | undefined {
  if (!line.startsWith('{"status":')) return undefined;
  try {
    return (JSON.parse(line) as { status: StatusFigures }).status;
  } catch {
    return undefined;
  }
}

/** 1234 → 1234, 12345678 → 12.3M: counts stay a few characters wide. */
function short(n: number): string {
  const v = Math.round(n);
  if (v < 100_000) return String(v);
  if (v < 100_000_000) return `${(v / 1e6).toFixed(1)}M`;
  return `${(v / 1e9).toFixed(1)}G`;
}
