/**
 * The hot path: one pass over an event's bytes, no strings, no objects. It accepts only what it
 * can prove valid (pure-ASCII JSON object, ids without escapes, known fields of the right
 * types, an ISO-8601 or epoch-ms time in range, no repeated known field); for anything else it
 * answers FALLBACK and the reference validator (event-reference.ts) decides, with a reason.
 * So the fast path can be wrong only by being slow, never by accepting a bad event.
 *
 * Positions travel as return values (locals, not module state: V8 keeps them in registers).
 * On acceptance, the id positions, byte hashes and the time are left in the exported `scan`
 * slots (the worker decodes one event at a time).
 */

import { keyIs, knownKey, quickKey } from './event-keys.js';
import {
  centsOf,
  INTERACTION_TYPES,
  MAX_CATEGORY_BYTES,
  MAX_ID_BYTES,
  NO_CATEGORY,
  OTHER_STEP,
} from './event-rules.js';
import { digits, isoTime } from './iso-time-bytes.js';
import { literalEnd, numberEnd, Q, skipValue, stringEnd, ws } from './json-bytes.js';

export const ACCEPT = 1;
export const FALLBACK = 0;

/**
 * Results of the last accepted scan. Optional fields: step OTHER_STEP, priceStart -1 (no
 * price), categoryStart -1 (NO_CATEGORY), sessionStart -1 (no session) when absent, null or empty.
 */
export const scan = {
  userStart: 0,
  userEnd: 0,
  userHash: 0,
  itemStart: 0,
  itemEnd: 0,
  itemHash: 0,
  time: 0,
  step: OTHER_STEP,
  priceStart: -1,
  priceEnd: -1,
  /** An Avro event's price (its text has no position): NaN when absent, read when priceStart < 0. */
  price: Number.NaN,
  categoryStart: -1,
  categoryEnd: -1,
  sessionStart: -1,
  sessionEnd: -1,
};

const BS = 0x5c; // backslash

const TYPES = INTERACTION_TYPES.map((t) => Buffer.from(t));

/** The funnel step of the type text b[s, e): the four types differ in length, so one comparison. */
export function stepOfBytes(b: Uint8Array, s: number, e: number): number {
  const k = e - s === 4 ? 0 : e - s === 5 ? 1 : e - s === 11 ? 2 : e - s === 8 ? 3 : OTHER_STEP;
  return k !== OTHER_STEP && keyIs(b, s, e, TYPES[k]) ? k : OTHER_STEP;
}

/**
 * The last accepted scan's funnel and session fields as the reference validator gives them
 * (ValidEvent): for tests that compare the two paths, and the same reading batch-decode.ts does.
 */
export function scannedFields(b: Uint8Array) {
  const text = (s: number, e: number) =>
    Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', s, e);
  return {
    step: scan.step,
    cents: scannedCents(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    category: scan.categoryStart < 0 ? NO_CATEGORY : text(scan.categoryStart, scan.categoryEnd),
    sessionId: scan.sessionStart < 0 ? '' : text(scan.sessionStart, scan.sessionEnd),
  };
}

/** The last accepted scan's price in whole cents (-1: none), from its text or its Avro double. */
export function scannedCents(text: Buffer): number {
  if (scan.priceStart >= 0) return centsOf(Number(text.toString('latin1', scan.priceStart, scan.priceEnd)));
  return Number.isNaN(scan.price) ? -1 : centsOf(scan.price);
}

/** One event in b[start, end): ACCEPT (results in `scan`) or FALLBACK. */
export function scanEvent(b: Uint8Array, start: number, end: number, minMs: number, maxMs: number): number {
  let p = ws(b, start, end);
  if (b[p] !== 0x7b) return FALLBACK;
  p = ws(b, p + 1, end);
  if (b[p] === 0x7d) return FALLBACK;
  let seen = 0;
  let time = Number.NaN;
  let step = OTHER_STEP;
  let priceStart = -1;
  let priceEnd = -1;
  let categoryStart = -1;
  let categoryEnd = -1;
  let sessionStart = -1;
  let sessionEnd = -1;
  for (;;) {
    if (b[p] !== Q) return FALLBACK;
    let bit: number;
    const quick = quickKey(b, p, end);
    if (quick !== 0) {
      bit = quick >> 5;
      p = ws(b, p + (quick & 31), end);
    } else {
      const ks = p + 1;
      const ke = stringEnd(b, p, end, false);
      if (ke < 0) return FALLBACK;
      p = ws(b, ke + 1, end);
      if (b[p] !== 0x3a) return FALLBACK;
      p = ws(b, p + 1, end);
      bit = knownKey(b, ks, ke);
    }
    if (p >= end) return FALLBACK;
    if (bit === 1 || bit === 2) {
      // An id: a plain string of 1–256 bytes, hashed (FNV-1a) as it is scanned.
      if (b[p] !== Q) return FALLBACK;
      const vs = p + 1;
      let h = 0x811c9dc5;
      let i = vs;
      for (; i < end; i++) {
        const c = b[i];
        if (c === Q) break;
        if (c < 0x20 || c >= 0x80 || c === BS) return FALLBACK;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (i >= end || i === vs || i - vs > MAX_ID_BYTES) return FALLBACK;
      if (bit === 1) {
        scan.userStart = vs;
        scan.userEnd = i;
        scan.userHash = h >>> 0;
      } else {
        scan.itemStart = vs;
        scan.itemEnd = i;
        scan.itemHash = h >>> 0;
      }
      p = i + 1;
    } else if (bit === 4) {
      if (b[p] === Q) {
        const ve = stringEnd(b, p, end, false);
        if (ve < 0) return FALLBACK;
        time = isoTime(b, p + 1, ve);
        p = ve + 1;
      } else {
        const ve = numberEnd(b, p, end);
        if (ve < 0) return FALLBACK;
        // Whole epoch milliseconds only, up to 15 digits (exact in a double).
        const neg = b[p] === 0x2d;
        const n = ve - p - (neg ? 1 : 0);
        if (n > 15) return FALLBACK;
        const v = digits(b, neg ? p + 1 : p, n);
        if (v < 0) return FALLBACK;
        time = neg ? -v : v;
        p = ve;
      }
      if (Number.isNaN(time) || time < minMs || time >= maxMs) return FALLBACK;
    } else if (bit === 8) {
      if (b[p] === 0x6e) p = literalEnd(b, p, end, 'null');
      else {
        priceStart = p;
        if (b[p] === 0x2d) return FALLBACK; // negative (or -0): let the reference judge
        const e = numberEnd(b, p, end);
        if (e < 0) return FALLBACK;
        // An exponent, or a long run of digits (309 of them overflow to Infinity, not a valid
        // price), could leave the doubles' range: let the reference judge.
        if (e - p > 24) return FALLBACK;
        for (let i = p; i < e; i++) if ((b[i] | 0x20) === 0x65) return FALLBACK;
        p = e;
        priceEnd = e;
      }
    } else if (bit === 16) {
      // event_id: a string (escapes allowed: it is not read) or null.
      if (b[p] === Q) {
        const e = stringEnd(b, p, end, true);
        p = e < 0 ? -1 : e + 1;
      } else p = literalEnd(b, p, end, 'null');
    } else if (bit !== 0) {
      // session_id, category, interaction_type: read, so plain strings only (escapes: the reference decodes them).
      if (b[p] === Q) {
        const vs = p + 1;
        // Not hashed here: the worker compares them with the item's / user's last ones first.
        const ve = stringEnd(b, p, end, false);
        if (ve < 0) return FALLBACK;
        p = ve + 1;
        if (bit === 128) step = stepOfBytes(b, vs, ve);
        else if (ve > vs && bit === 64) {
          if (ve - vs > MAX_CATEGORY_BYTES) return FALLBACK;
          categoryStart = vs;
          categoryEnd = ve;
        } else if (ve > vs) {
          sessionStart = vs;
          sessionEnd = ve;
        }
      } else p = literalEnd(b, p, end, 'null');
    } else p = skipValue(b, p, end, 0);
    if (p < 0) return FALLBACK;
    if (bit !== 0) {
      if (seen & bit) return FALLBACK; // a known field twice
      seen |= bit;
    }
    p = ws(b, p, end);
    if (b[p] === 0x2c) {
      p = ws(b, p + 1, end);
      continue;
    }
    if (b[p] !== 0x7d) return FALLBACK;
    p++;
    break;
  }
  p = ws(b, p, end);
  if (p !== end || (seen & 7) !== 7) return FALLBACK;
  scan.time = time;
  scan.step = step;
  scan.priceStart = priceStart;
  scan.priceEnd = priceEnd;
  scan.price = Number.NaN;
  scan.categoryStart = categoryStart;
  scan.categoryEnd = categoryEnd;
  scan.sessionStart = sessionStart;
  scan.sessionEnd = sessionEnd;
  return ACCEPT;
}
