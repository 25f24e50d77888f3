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
import { MAX_ID_BYTES } from './event-rules.js';
import { digits, isoTime } from './iso-time-bytes.js';

export const ACCEPT = 1;
export const FALLBACK = 0;

/** Results of the last accepted scan. */
export const scan = { userStart: 0, userEnd: 0, userHash: 0, itemStart: 0, itemEnd: 0, itemHash: 0, time: 0 };

const Q = 0x22; // "
const BS = 0x5c; // backslash

// Known keys by their length and first bytes (checked in full by keyIs).
const K_USER = Buffer.from('user_id');
const K_ITEM = Buffer.from('item_id');
const K_TIME = Buffer.from('timestamp');
const K_PRICE = Buffer.from('price_usd');
const K_EVENT = Buffer.from('event_id');
const K_SESSION = Buffer.from('session_id');
const K_CATEGORY = Buffer.from('category');
const K_TYPE = Buffer.from('interaction_type');

function keyIs(b: Uint8Array, s: number, e: number, k: Uint8Array): boolean {
  if (e - s !== k.length) return false;
  for (let i = 0; i < k.length; i++) if (b[s + i] !== k[i]) return false;
  return true;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Position after whitespace from p. */
function ws(b: Uint8Array, p: number, end: number): number {
  while (p < end && isWs(b[p])) p++;
  return p;
}

/**
 * A string starting at p (the opening quote): the position of its closing quote, or -1 when it
 * is not a plain ASCII JSON string (a byte ≥ 0x80 sends the event to the reference validator,
 * which checks UTF-8). Escapes are allowed only when `escapes`.
 */
function stringEnd(b: Uint8Array, p: number, end: number, escapes: boolean): number {
  let i = p + 1;
  while (i < end) {
    const c = b[i];
    if (c === Q) return i;
    if (c < 0x20 || c >= 0x80) return -1;
    if (c === BS) {
      if (!escapes || i + 1 >= end) return -1;
      const x = b[i + 1];
      if (x === 0x75) {
        // \uXXXX: four hex digits
        for (let k = 2; k < 6; k++) {
          const h = b[i + k] | 0x20;
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66))) return -1;
        }
        i += 6;
        continue;
      }
      // \" \\ \/ \b \f \n \r \t
      if (
        x !== Q &&
        x !== BS &&
        x !== 0x2f &&
        x !== 0x62 &&
        x !== 0x66 &&
        x !== 0x6e &&
        x !== 0x72 &&
        x !== 0x74
      )
        return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/** A JSON number at p (strict grammar); returns its end or -1. */
function numberEnd(b: Uint8Array, p: number, end: number): number {
  let i = p;
  if (b[i] === 0x2d) i++;
  if (i >= end) return -1;
  if (b[i] === 0x30) i++;
  else if (b[i] >= 0x31 && b[i] <= 0x39) while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
  else return -1;
  if (i < end && b[i] === 0x2e) {
    i++;
    const d = i;
    while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === d) return -1;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    const d = i;
    while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    if (i === d) return -1;
  }
  return i;
}

function literalEnd(b: Uint8Array, p: number, end: number, lit: string): number {
  if (p + lit.length > end) return -1;
  for (let i = 0; i < lit.length; i++) if (b[p + i] !== lit.charCodeAt(i)) return -1;
  return p + lit.length;
}

/** Skips any JSON value at p (for unknown fields); returns the position after it, or -1. */
function skipValue(b: Uint8Array, p: number, end: number, depth: number): number {
  if (depth > 32 || p >= end) return -1;
  const c = b[p];
  if (c === Q) {
    const e = stringEnd(b, p, end, true);
    return e < 0 ? -1 : e + 1;
  }
  if (c === 0x7b || c === 0x5b) {
    const close = c === 0x7b ? 0x7d : 0x5d;
    p = ws(b, p + 1, end);
    if (b[p] === close) return p + 1;
    for (;;) {
      if (c === 0x7b) {
        if (b[p] !== Q) return -1;
        const e = stringEnd(b, p, end, true);
        if (e < 0) return -1;
        p = ws(b, e + 1, end);
        if (b[p] !== 0x3a) return -1;
        p = ws(b, p + 1, end);
      }
      p = skipValue(b, p, end, depth + 1);
      if (p < 0) return -1;
      p = ws(b, p, end);
      if (b[p] === 0x2c) {
        p = ws(b, p + 1, end);
        continue;
      }
      return b[p] === close ? p + 1 : -1;
    }
  }
  if (c === 0x74) return literalEnd(b, p, end, 'true');
  if (c === 0x66) return literalEnd(b, p, end, 'false');
  if (c === 0x6e) return literalEnd(b, p, end, 'null');
  return numberEnd(b, p, end);
}

/** Which known field a key is (a bit), or 0; one comparison chosen by length and first byte. */
function knownKey(b: Uint8Array, s: number, e: number): number {
  switch (e - s) {
    case 7:
      return b[s] === 0x75 ? (keyIs(b, s, e, K_USER) ? 1 : 0) : keyIs(b, s, e, K_ITEM) ? 2 : 0;
    case 9:
      return b[s] === 0x74 ? (keyIs(b, s, e, K_TIME) ? 4 : 0) : keyIs(b, s, e, K_PRICE) ? 8 : 0;
    case 8:
      return b[s] === 0x65 ? (keyIs(b, s, e, K_EVENT) ? 16 : 0) : keyIs(b, s, e, K_CATEGORY) ? 64 : 0;
    case 10:
      return keyIs(b, s, e, K_SESSION) ? 32 : 0;
    case 16:
      return keyIs(b, s, e, K_TYPE) ? 128 : 0;
    default:
      return 0;
  }
}

/** One event in b[start, end): ACCEPT (results in `scan`) or FALLBACK. */
export function scanEvent(b: Uint8Array, start: number, end: number, minMs: number, maxMs: number): number {
  let p = ws(b, start, end);
  if (b[p] !== 0x7b) return FALLBACK;
  p = ws(b, p + 1, end);
  if (b[p] === 0x7d) return FALLBACK;
  let seen = 0;
  let time = Number.NaN;
  for (;;) {
    if (b[p] !== Q) return FALLBACK;
    const ks = p + 1;
    const ke = stringEnd(b, p, end, false);
    if (ke < 0) return FALLBACK;
    p = ws(b, ke + 1, end);
    if (b[p] !== 0x3a) return FALLBACK;
    p = ws(b, p + 1, end);
    if (p >= end) return FALLBACK;
    const bit = knownKey(b, ks, ke);
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
        if (b[p] === 0x2d) return FALLBACK; // negative (or -0): let the reference judge
        const e = numberEnd(b, p, end);
        if (e < 0) return FALLBACK;
        // An exponent, or a long run of digits (309 of them overflow to Infinity, not a valid
        // price), could leave the doubles' range: let the reference judge.
        if (e - p > 24) return FALLBACK;
        for (let i = p; i < e; i++) if ((b[i] | 0x20) === 0x65) return FALLBACK;
        p = e;
      }
    } else if (bit !== 0) {
      // event_id, session_id, category, interaction_type: a string or null.
      if (b[p] === Q) {
        const e = stringEnd(b, p, end, true);
        p = e < 0 ? -1 : e + 1;
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
  return ACCEPT;
}
