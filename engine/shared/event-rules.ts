/**
 * The event contract (docs/contract.md) as constants and small pure checks, shared by the producer's
 * ground truth, the reference validator and the engine's byte decoder, so all three agree.
 */
export const MAX_ID_BYTES = 256;
/** Larger messages are invalid (dead-lettered): no event of the contract comes near it. */
export const MAX_EVENT_BYTES = 65_536;
/** The contract's fields: one of them twice in an event makes it invalid (other duplicates: last wins). */
export const CONTRACT_FIELDS = [
  'event_id',
  'session_id',
  'user_id',
  'item_id',
  'category',
  'price_usd',
  'interaction_type',
  'timestamp',
] as const;
/** Accepted event times: [2000-01-01, 2100-01-01) UTC by default (EVENT_TIME_MIN / EVENT_TIME_MAX). */
export const DEFAULT_MIN_EVENT_TIME_MS = Date.UTC(2000, 0, 1);
export const DEFAULT_MAX_EVENT_TIME_MS = Date.UTC(2100, 0, 1);
export const INTERACTION_TYPES = ['view', 'click', 'add_to_cart', 'purchase'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

/**
 * Funnel steps as small integers (the order of INTERACTION_TYPES); any other interaction type,
 * or none, is OTHER_STEP: it counts in the totals and in no funnel step (docs/contract.md).
 */
export const PURCHASE_STEP = 3;
export const OTHER_STEP = 4;
export const FUNNEL_STEPS = 4;

export function stepOf(type: unknown): number {
  const i = (INTERACTION_TYPES as readonly unknown[]).indexOf(type);
  return i < 0 ? OTHER_STEP : i;
}

/** The category a missing, null or empty `category` counts under. */
export const NO_CATEGORY = '(none)';
/** Longer categories make the event invalid, like ids: an _id Elasticsearch refuses must never hold offsets back. */
export const MAX_CATEGORY_BYTES = MAX_ID_BYTES;

/** A price in whole cents: the parsed double × 100, rounded half away from zero (prices are ≥ 0). */
export function centsOf(priceUsd: number): number {
  return Math.round(priceUsd * 100);
}

/** Session-window gap by default: 30 minutes (SESSION_GAP_MS). */
export const DEFAULT_SESSION_GAP_MS = 30 * 60_000;

/**
 * Sessions (docs/contract.md, "Sessions"): an event is late for sessions when its time is behind
 * its partition's watermark (max event time seen there − allowed lateness). A session closes once
 * that watermark reaches its last event + the gap, so an on-time event can never reach a closed
 * session — which keeps the counts independent of when the engine closes them.
 */
export function isLateForSessions(t: number, partitionMaxTime: number, allowedLatenessMs: number): boolean {
  return t < partitionMaxTime - allowedLatenessMs;
}

/** Two event-time spans of one session id belong to one session when less than `gap` apart. */
export function sessionsTouch(s1: number, e1: number, s2: number, e2: number, gap: number): boolean {
  return s2 < e1 + gap && s1 < e2 + gap;
}

/** Event-time window of `t` (integer math: floor for negative times too). */
export function windowOf(t: number, windowMs: number): number {
  return Math.floor(t / windowMs);
}

/**
 * Lateness (deterministic under replay): an event is late when its window has ended at or before
 * the watermark of its own partition, max event time seen there minus the allowed lateness.
 * The engine's global watermark is the minimum over partitions, so any window the engine has
 * closed is also closed by this rule: a late event never lands in a closed window, and the
 * outcome depends only on the order of events within each partition, never on how partitions
 * interleave — which is what makes the aggregates checkable after kill -9 and replay.
 */
export function isLate(
  t: number,
  partitionMaxTime: number,
  windowMs: number,
  allowedLatenessMs: number,
): boolean {
  return (windowOf(t, windowMs) + 1) * windowMs <= partitionMaxTime - allowedLatenessMs;
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian), integer arithmetic only. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = y - 1;
  const leapDays = Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) - 477; // 477 leap days before 1970
  return (y - 1970) * 365 + leapDays + DAYS_BEFORE_MONTH[m - 1] + (m > 2 && isLeap(y) ? 1 : 0) + d - 1;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * ISO-8601 date-time with a zone (Z or ±hh:mm), fractions of a second truncated to the
 * millisecond, to epoch milliseconds; NaN when malformed or out of calendar range.
 */
export function parseIsoTimestamp(s: string): number {
  const m = ISO_RE.exec(s);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59)
    return Number.NaN;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMin = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[8].slice(1, 3));
    const om = Number(m[8].slice(4, 6));
    if (oh > 23 || om > 59) return Number.NaN;
    offsetMin = (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms - offsetMin * 60_000;
}
