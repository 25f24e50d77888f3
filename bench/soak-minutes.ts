/**
 * The soak's per-minute figures, read from the engine's machine-readable status line
 * (`--status-format json`, engine/metrics/status-line.ts): a line the parser does not know is
 * not a minute, and a soak that measured fewer minutes than it ran fails (bench/soak.ts).
 */
import { parseStatusJson } from '../engine/metrics/status-line.js';
import type { Machine } from './machine.js';

export interface Minute {
  minute: number;
  eventsPerSecond: number;
  lag: number;
  rssMiB: number;
  flushP50: number;
  flushP99: number;
  e2eP50: number;
  e2eP99: number;
  e2eMax: number;
}

/** The minute a status line reports (its number given), or undefined for any other line. */
export function minuteOf(line: string, minute: number): Minute | undefined {
  const s = parseStatusJson(line);
  if (!s) return undefined;
  return {
    minute,
    eventsPerSecond: s.eventsPerSecond,
    lag: s.lag,
    rssMiB: s.rssMiB,
    flushP50: s.flushP50,
    flushP99: s.flushP99,
    e2eP50: s.endToEndP50,
    e2eP99: s.endToEndP99,
    e2eMax: s.endToEndMax,
  };
}

/** Why the soak's figures cannot be judged, or undefined: every minute measured, traffic seen. */
export function unmeasured(perMinute: Minute[], minutes: number): string | undefined {
  if (perMinute.length < minutes)
    return `${perMinute.length} of ${minutes} minutes measured: the engine's status lines were not read`;
  if (perMinute.some((m) => m.minute <= minutes && m.eventsPerSecond === 0))
    return 'a minute without events: the producer or the engine stalled';
  return undefined;
}

/** results/soak.json, as bench/soak.ts writes it. */
export interface Soak {
  name: 'soak';
  date: string;
  machine: Machine;
  settings: { rate: number; minutes: number; warmupMinutes: number; sessionGapMs?: number };
  perMinute: {
    minute: number;
    eventsPerSecond: number;
    lag: number;
    rssMiB: number;
    flushP99: number;
    e2eP50: number;
    e2eP99: number;
    e2eMax: number;
  }[];
  rssAfterWarmupMiB: number;
  rssEndMiB: number;
  rssGrowth: number;
  e2eP99EarlyMs: number;
  e2eP99LateMs: number;
  exact: boolean;
  /** Why the minutes cannot be judged (soak-minutes.ts), or null. */
  unmeasured?: string | null;
  pass: boolean;
  producer: string;
}
