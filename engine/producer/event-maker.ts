/**
 * Turns session steps into Kafka messages in the event format of DESIGN.md, with the requested
 * share of out-of-order, beyond-lateness and invalid events mixed in (for the engine's tests).
 */
import { pack } from 'msgpackr';
import type { EventFormat } from '../shared/event-reference.js';
import type { Catalog } from './catalog.js';
import { type Random, uuidFrom } from './random.js';
import type { SessionSimulator } from './sessions.js';

export interface EventMix {
  /** Share of events whose time is pushed back within the allowed lateness (never late). */
  outOfOrder: number;
  /** Share of events pushed back beyond the allowed lateness and one window (late, unless their partition lags). */
  late: number;
  /** Share of invalid messages (malformed JSON, missing or wrongly typed fields, bad times). */
  invalid: number;
}

export interface MakerOptions {
  format: EventFormat;
  timestampFormat: 'iso' | 'epoch';
  mix: EventMix;
  allowedLatenessMs: number;
  windowMs: number;
}

/** The message made for one step; reused between calls. */
export interface MadeEvent {
  key: string;
  user: number;
  item: number;
  /** Event time in epoch ms (meaningful when valid). */
  time: number;
  valid: boolean;
  /** What makes it invalid, for tests and logs ('' when valid). */
  invalidKind: string;
  /** The message value: bytes [0, length) of `buffer`. */
  length: number;
}

const INVALID_KINDS = [
  'truncated_json',
  'not_json',
  'missing_user_id',
  'missing_item_id',
  'missing_timestamp',
  'user_id_number',
  'empty_item_id',
  'bad_timestamp',
  'timestamp_1970',
  'negative_price',
  'json_array',
  'invalid_utf8',
] as const;

/** ISO-8601 text of a time, with the date-and-second prefix cached (events of one second share it). */
class IsoClock {
  private second = Number.NaN;
  private prefix = '';

  format(ms: number): string {
    const s = Math.floor(ms / 1000);
    if (s !== this.second) {
      this.second = s;
      this.prefix = new Date(s * 1000).toISOString().slice(0, 20); // "2026-11-28T10:00:01."
    }
    const r = ms - s * 1000;
    return `${this.prefix}${r < 10 ? '00' : r < 100 ? '0' : ''}${r}Z`;
  }
}

export class EventMaker {
  /** Values are written into this slab; librdkafka copies them on produce (RK_MSG_COPY). */
  readonly buffer = Buffer.allocUnsafe(64 * 1024);
  private readonly made: MadeEvent = {
    key: '',
    user: 0,
    item: 0,
    time: 0,
    valid: true,
    invalidKind: '',
    length: 0,
  };
  private readonly iso = new IsoClock();

  constructor(
    private readonly catalog: Catalog,
    private readonly sessions: SessionSimulator,
    private readonly rng: Random,
    private readonly opts: MakerOptions,
  ) {}

  make(nowMs: number): MadeEvent {
    const step = this.sessions.next();
    const c = this.catalog;
    const { mix, allowedLatenessMs, windowMs } = this.opts;
    const rng = this.rng;
    let time = nowMs;
    const u = rng.float();
    if (u < mix.outOfOrder) time -= 1 + rng.below(Math.max(1, allowedLatenessMs - 1));
    else if (u < mix.outOfOrder + mix.late) time -= allowedLatenessMs + windowMs + rng.below(5000);

    const m = this.made;
    m.key = c.userIds[step.user];
    m.user = step.user;
    m.item = step.item;
    m.time = time;
    m.valid = true;
    m.invalidKind = '';
    const eventId = uuidFrom(rng);
    const timestamp = this.opts.timestampFormat === 'iso' ? this.iso.format(time) : time;
    const fields = (): Record<string, unknown> => ({
      event_id: eventId,
      session_id: step.sessionId,
      user_id: m.key,
      item_id: c.itemIds[step.item],
      category: c.itemCategory[step.item],
      price_usd: c.itemPrice[step.item],
      interaction_type: step.type,
      timestamp,
    });
    if (mix.invalid > 0 && rng.chance(mix.invalid)) {
      m.valid = false;
      m.invalidKind = INVALID_KINDS[rng.below(INVALID_KINDS.length)];
      m.length = this.writeInvalid(m.invalidKind as (typeof INVALID_KINDS)[number], fields());
      return m;
    }
    if (this.opts.format === 'msgpack') {
      const bytes = pack(fields());
      bytes.copy(this.buffer);
      m.length = bytes.length;
      return m;
    }
    // The fast path builds one string and no object: ids, category and price are our own ASCII,
    // so no escaping is needed.
    const ts = typeof timestamp === 'string' ? `"${timestamp}"` : String(timestamp);
    m.length = this.buffer.write(
      `{"event_id":"${eventId}","session_id":"${step.sessionId}","user_id":"${m.key}","item_id":"${c.itemIds[step.item]}","category":"${c.itemCategory[step.item]}","price_usd":${c.itemPriceText[step.item]},"interaction_type":"${step.type}","timestamp":${ts}}`,
      0,
      'latin1',
    );
    return m;
  }

  private writeInvalid(kind: (typeof INVALID_KINDS)[number], f: Record<string, unknown>): number {
    const b = this.buffer;
    const encode = (o: unknown): number => {
      if (this.opts.format === 'msgpack') {
        const bytes = pack(o);
        bytes.copy(b);
        return bytes.length;
      }
      return b.write(JSON.stringify(o), 0);
    };
    switch (kind) {
      case 'truncated_json': {
        const n = b.write(JSON.stringify(f), 0);
        return Math.max(1, n >> 1);
      }
      case 'not_json':
        return b.write('<html>503 Service Unavailable</html>', 0);
      case 'missing_user_id':
        return encode({ ...f, user_id: undefined });
      case 'missing_item_id':
        return encode({ ...f, item_id: undefined });
      case 'missing_timestamp':
        return encode({ ...f, timestamp: undefined });
      case 'user_id_number':
        return encode({ ...f, user_id: 12345 });
      case 'empty_item_id':
        return encode({ ...f, item_id: '' });
      case 'bad_timestamp':
        return encode({ ...f, timestamp: 'last tuesday' });
      case 'timestamp_1970':
        return encode({ ...f, timestamp: '1970-01-01T00:00:00Z' });
      case 'negative_price':
        return encode({ ...f, price_usd: -5 });
      case 'json_array':
        return encode([f]);
      case 'invalid_utf8': {
        const n = b.write(JSON.stringify(f), 0);
        b[n - 3] = 0xff; // inside the closing string: a byte that is never UTF-8
        return n;
      }
    }
  }
}
