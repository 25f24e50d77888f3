/**
 * The reference validator: plain JSON.parse (or msgpack unpack) and the rules of docs/contract.md, written
 * to be obviously right rather than fast. The ground truth and the tests use it; the engine's
 * byte decoder must agree with it on every input.
 */
import { unpack } from 'msgpackr';
import {
  CONTRACT_FIELDS,
  centsOf,
  MAX_CATEGORY_BYTES,
  MAX_EVENT_BYTES,
  MAX_ID_BYTES,
  NO_CATEGORY,
  parseIsoTimestamp,
  stepOf,
} from './event-rules.js';

export type EventFormat = 'json' | 'msgpack';

export interface TimeRange {
  minMs: number;
  maxMs: number;
}

/** A valid event's fields the aggregates read. */
export interface ValidEvent {
  ok: true;
  userId: string;
  itemId: string;
  time: number;
  /** Funnel step (event-rules.ts stepOf). */
  step: number;
  /** price_usd in whole cents (centsOf); -1 when absent or null. */
  cents: number;
  /** The category, NO_CATEGORY when missing, null or empty. */
  category: string;
  /** '' when missing, null or empty: no session. */
  sessionId: string;
}

export type Verdict = ValidEvent | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function checkId(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return `missing ${name}`;
  if (typeof v !== 'string') return `${name} is not a string`;
  if (v.length === 0) return `${name} is empty`;
  if (Buffer.byteLength(v) > MAX_ID_BYTES) return `${name} is longer than ${MAX_ID_BYTES} bytes`;
  return undefined;
}

/**
 * The first contract field that appears twice among the top-level keys of a JSON object text,
 * or undefined. (JSON.parse keeps the last silently; an event that says two things is invalid.)
 */
export function duplicateField(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1) {
        // A key when the next non-space character is ':'.
        let k = j + 1;
        while (k < text.length && ' \t\n\r'.includes(text[k])) k++;
        if (text[k] === ':') {
          const key = JSON.parse(text.slice(i, j + 1)) as string;
          if ((CONTRACT_FIELDS as readonly string[]).includes(key)) {
            if (seen.has(key)) return key;
            seen.add(key);
          }
        }
      }
      i = j;
    }
  }
  return undefined;
}

export function validateEvent(
  value: Buffer | null | undefined,
  format: EventFormat,
  range: TimeRange,
): Verdict {
  if (!value || value.length === 0) return { ok: false, reason: 'empty message' };
  if (value.length > MAX_EVENT_BYTES)
    return { ok: false, reason: `message larger than ${MAX_EVENT_BYTES} bytes` };
  let obj: unknown;
  if (format === 'json') {
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return { ok: false, reason: 'not valid UTF-8' };
    }
    try {
      obj = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'malformed JSON' };
    }
  } else {
    try {
      obj = unpack(value);
    } catch {
      return { ok: false, reason: 'malformed msgpack' };
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    return { ok: false, reason: 'not an object' };
  if (format === 'json') {
    const dup = duplicateField(value.toString('utf8'));
    if (dup) return { ok: false, reason: `duplicate field ${dup}` };
  }
  return validateFields(obj as Record<string, unknown>, range);
}

/** The contract's rules on a decoded event's fields (JSON, msgpack and Avro alike). */
export function validateFields(e: Record<string, unknown>, range: TimeRange): Verdict {
  const idError = checkId(e.user_id, 'user_id') ?? checkId(e.item_id, 'item_id');
  if (idError) return { ok: false, reason: idError };
  for (const name of ['event_id', 'session_id', 'category', 'interaction_type']) {
    if (e[name] !== undefined && e[name] !== null && typeof e[name] !== 'string') {
      return { ok: false, reason: `${name} is not a string` };
    }
  }
  if (typeof e.category === 'string' && Buffer.byteLength(e.category) > MAX_CATEGORY_BYTES)
    return { ok: false, reason: `category is longer than ${MAX_CATEGORY_BYTES} bytes` };
  if (e.price_usd !== undefined && e.price_usd !== null) {
    if (typeof e.price_usd !== 'number' || !Number.isFinite(e.price_usd))
      return { ok: false, reason: 'price_usd is not a number' };
    if (e.price_usd < 0) return { ok: false, reason: 'price_usd is negative' };
  }
  let time: number;
  if (e.timestamp === undefined || e.timestamp === null) return { ok: false, reason: 'missing timestamp' };
  if (typeof e.timestamp === 'number') {
    if (!Number.isInteger(e.timestamp))
      return { ok: false, reason: 'timestamp is not whole epoch milliseconds' };
    time = e.timestamp;
  } else if (typeof e.timestamp === 'string') {
    time = parseIsoTimestamp(e.timestamp);
    if (Number.isNaN(time)) return { ok: false, reason: 'timestamp is not ISO-8601 with a zone' };
  } else {
    return { ok: false, reason: 'timestamp is neither a string nor a number' };
  }
  if (time < range.minMs || time >= range.maxMs)
    return { ok: false, reason: 'timestamp outside the accepted range' };
  return {
    ok: true,
    userId: e.user_id as string,
    itemId: e.item_id as string,
    time,
    step: stepOf(e.interaction_type),
    cents: typeof e.price_usd === 'number' ? centsOf(e.price_usd) : -1,
    category: typeof e.category === 'string' && e.category !== '' ? e.category : NO_CATEGORY,
    sessionId: typeof e.session_id === 'string' ? e.session_id : '',
  };
}
