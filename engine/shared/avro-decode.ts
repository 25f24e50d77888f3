/**
 * Avro events on the pool's hot path (Confluent wire format: byte 0 = 0, a 4-byte big-endian
 * schema id, then Avro binary). A writer schema is compiled once per id into a plan — each writer
 * field either read into a `scan` slot or skipped by its type — and an event is then one pass over
 * its bytes, no object, like the JSON scanner (fast-decode.ts). Like it, the plan only accepts what
 * it can prove valid and answers FALLBACK otherwise; the reference (avro-reference.ts) then decides
 * with a reason. Which writer schemas are usable at all is Avro's resolution against the engine's
 * reader schema (engine/schema/reader.avsc), checked before a plan is made.
 */

import { type AvroNode, K, Slot } from './avro-plan.js';
import { MAX_CATEGORY_BYTES, MAX_ID_BYTES, OTHER_STEP } from './event-rules.js';
import { ACCEPT, FALLBACK, scan, stepOfBytes } from './fast-decode.js';
import { isoTime } from './iso-time-bytes.js';

/** The Confluent wire format's header: magic byte 0 and the schema id. */
export const AVRO_HEADER_BYTES = 5;
/** Records, arrays and maps nested deeper than this in one event make it a dead letter. */
export const MAX_AVRO_DEPTH = 32;

// The work one message may ask for. A block's count is a varint: 2^60 items fit in 9 bytes, and
// a decoder that trusts it reads items past the end (or zero-width items) for hours — one bad
// event would stop a pool thread. So a message holds at most as many array and map items as it
// has bytes (an item of bytes takes at least one; only arrays of null or of empty records can
// hold more, and they are refused), and nests at most MAX_AVRO_DEPTH levels.
let itemsLeft = 0;
const ITEMS = 1;
const DEPTH = 2;
/** Why the last skip() answered -1: 0 the bytes end or break the schema, else which limit. */
let limit = 0;

// The value of the last read: a number, or a byte range [vs, ve), or null (vNull).
let vNull = false;
let vNum = 0;
let vs = -1;
let ve = -1;
/** The whole ArrayBuffer under the batch, and where the batch's bytes start in it. */
let view: DataView | undefined;
let base = 0;

/** A zigzag varint at p (an Avro int or long); its value in vNum, or -1 when truncated or too long. */
function varint(b: Uint8Array, p: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) return -1;
    const c = b[p++];
    v += (c & 0x7f) * mul;
    if ((c & 0x80) === 0) {
      vNum = v % 2 === 0 ? v / 2 : -(v + 1) / 2;
      return p;
    }
    mul *= 128;
  }
  return -1;
}

/** Skips one value of node n at p, d levels deep; the position after it, or -1. */
function skip(n: AvroNode, b: Uint8Array, p: number, end: number, d: number): number {
  switch (n.k) {
    case K.Null:
      return p;
    case K.Boolean:
      return p < end ? p + 1 : -1;
    case K.Int:
    case K.Long:
    case K.Enum:
      return varint(b, p, end);
    case K.Float:
      return p + 4 <= end ? p + 4 : -1;
    case K.Double:
      return p + 8 <= end ? p + 8 : -1;
    case K.Fixed:
      return p + (n.size as number) <= end ? p + (n.size as number) : -1;
    case K.Bytes:
    case K.String: {
      p = varint(b, p, end);
      return p < 0 || vNum < 0 || p + vNum > end ? -1 : p + vNum;
    }
    case K.Record:
      if (d >= MAX_AVRO_DEPTH) return tooDeep();
      for (const f of n.fields as { node: AvroNode }[]) {
        p = skip(f.node, b, p, end, d + 1);
        if (p < 0) return -1;
      }
      return p;
    case K.Union: {
      // A choice, not a level: the branch is at the union's depth.
      p = varint(b, p, end);
      const br = p < 0 ? undefined : n.branches?.[vNum];
      return br ? skip(br, b, p, end, d) : -1;
    }
    default: {
      if (d >= MAX_AVRO_DEPTH) return tooDeep();
      // Arrays and maps: blocks of (count, items), a negative count followed by the block's size.
      for (;;) {
        p = varint(b, p, end);
        if (p < 0) return -1;
        let count = vNum;
        if (count === 0) return p;
        if (count < 0) {
          count = -count;
          p = varint(b, p, end);
          if (p < 0) return -1;
        }
        if (count > itemsLeft) {
          limit = ITEMS;
          return -1;
        }
        itemsLeft -= count;
        for (let i = 0; i < count; i++) {
          if (n.k === K.Map) p = skip(STRING, b, p, end, d + 1);
          if (p >= 0) p = skip(n.item as AvroNode, b, p, end, d + 1);
          if (p < 0) return -1;
        }
      }
    }
  }
}

const STRING: AvroNode = { k: K.String };

function tooDeep(): number {
  limit = DEPTH;
  return -1;
}

/**
 * Undefined when b[start, end) (header included) can be walked through its writer's plan within
 * the limits above, else the reason it cannot. The reference (avro-reference.ts) asks before avsc
 * decodes, since avsc believes any count; bytes that pass are then avsc's to judge.
 */
export function avroUnwalkable(
  b: Uint8Array,
  start: number,
  end: number,
  plan: AvroNode,
): string | undefined {
  const body = start + AVRO_HEADER_BYTES;
  itemsLeft = end - body;
  limit = 0;
  if (skip(plan, b, body, end, 0) >= 0) return undefined;
  if (limit === ITEMS) return `avro: an array or map claims more items than its ${end - body} bytes can hold`;
  if (limit === DEPTH) return `avro: nested deeper than ${MAX_AVRO_DEPTH} levels`;
  return 'avro: truncated or malformed (a value runs past the end or breaks its writer schema)';
}

/**
 * Reads one value of node n at p into vNum / [vs, ve) / vNull: numbers, strings and bytes, through
 * unions. -1 when truncated or of a type no slot takes.
 */
function read(n: AvroNode, b: Uint8Array, p: number, end: number): number {
  vs = -1;
  vNull = false;
  switch (n.k) {
    case K.Null:
      vNull = true;
      return p;
    case K.Int:
    case K.Long:
      return varint(b, p, end);
    case K.Float:
      if (p + 4 > end) return -1;
      vNum = (view as DataView).getFloat32(base + p, true);
      return p + 4;
    case K.Double:
      if (p + 8 > end) return -1;
      vNum = (view as DataView).getFloat64(base + p, true);
      return p + 8;
    case K.Bytes:
    case K.String: {
      p = varint(b, p, end);
      if (p < 0 || vNum < 0 || p + vNum > end) return -1;
      vs = p;
      ve = p + vNum;
      return ve;
    }
    case K.Union: {
      p = varint(b, p, end);
      const br = p < 0 ? undefined : n.branches?.[vNum];
      return br ? read(br, b, p, end) : -1;
    }
    default:
      return -1;
  }
}

/** An FNV-1a hash of b[s, e) when it is all ASCII (the id tables' strings are latin1), else -1. */
function asciiHash(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c >= 0x80) return -1;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One Avro event in b[start, end) (its 5-byte header included) by the writer's plan: ACCEPT (the
 * fields in `scan`, its price in scan.price) or FALLBACK.
 */
export function scanAvro(
  b: Uint8Array,
  start: number,
  end: number,
  plan: AvroNode,
  minMs: number,
  maxMs: number,
): number {
  if (view?.buffer !== b.buffer) view = new DataView(b.buffer);
  base = b.byteOffset;
  let p = start + AVRO_HEADER_BYTES;
  itemsLeft = end - p;
  let seen = 0;
  let time = Number.NaN;
  scan.step = OTHER_STEP;
  scan.price = Number.NaN;
  scan.priceStart = -1;
  scan.categoryStart = -1;
  scan.sessionStart = -1;
  for (const f of plan.fields as { slot: Slot; node: AvroNode }[]) {
    if (f.slot === Slot.Skip) {
      p = skip(f.node, b, p, end, 1);
      if (p < 0) return FALLBACK;
      continue;
    }
    p = read(f.node, b, p, end);
    if (p < 0) return FALLBACK;
    switch (f.slot) {
      case Slot.User:
      case Slot.Item: {
        if (vNull || vs < 0 || ve === vs || ve - vs > MAX_ID_BYTES) return FALLBACK;
        const h = asciiHash(b, vs, ve);
        if (h < 0) return FALLBACK;
        if (f.slot === Slot.User) {
          scan.userStart = vs;
          scan.userEnd = ve;
          scan.userHash = h;
        } else {
          scan.itemStart = vs;
          scan.itemEnd = ve;
          scan.itemHash = h;
        }
        seen |= f.slot === Slot.User ? 1 : 2;
        break;
      }
      case Slot.Time:
        if (vNull) return FALLBACK;
        time = vs >= 0 ? isoTime(b, vs, ve) : vNum;
        if (!(time >= minMs && time < maxMs)) return FALLBACK;
        seen |= 4;
        break;
      case Slot.Price:
        // Absent (null) or a finite price ≥ 0; anything else: the reference says why.
        if (vNull) break;
        if (vs >= 0 || !(vNum >= 0 && vNum < Number.POSITIVE_INFINITY)) return FALLBACK;
        scan.price = vNum;
        break;
      case Slot.Type:
        if (vs >= 0) scan.step = stepOfBytes(b, vs, ve);
        else if (!vNull) return FALLBACK;
        break;
      default: {
        // session_id, category: ASCII text (others: the reference decodes them).
        if (vNull || ve === vs) break;
        if (vs < 0) return FALLBACK;
        if (asciiHash(b, vs, ve) < 0) return FALLBACK;
        if (f.slot === Slot.Category) {
          if (ve - vs > MAX_CATEGORY_BYTES) return FALLBACK;
          scan.categoryStart = vs;
          scan.categoryEnd = ve;
        } else {
          scan.sessionStart = vs;
          scan.sessionEnd = ve;
        }
      }
    }
  }
  if (p !== end || (seen & 7) !== 7) return FALLBACK;
  scan.time = time;
  return ACCEPT;
}
