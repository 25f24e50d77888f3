/**
 * Turns session steps into Kafka messages in the event format of docs/contract.md, with the requested
 * share of out-of-order, beyond-lateness and invalid events mixed in (for the engine's tests).
 */

import type avro from 'avsc';
import { pack } from 'msgpackr';
import { internalError } from '../errors/errors.js';
import type { EventFormat } from '../shared/event-reference.js';
import { centsOf, INTERACTION_TYPES, stepOf } from '../shared/event-rules.js';
import { ByteWriter, uuidText } from './byte-writer.js';
import type { Catalog } from './catalog.js';
import type { Random } from './random.js';
import type { SessionSimulator, Step } from './sessions.js';
import type { TruthEventFields } from './truth.js';

export interface EventMix {
  /** Share of events whose time is pushed back within the allowed lateness (never late). */
  outOfOrder: number;
  /** Share of events pushed back beyond the allowed lateness and one window (late, unless their partition lags). */
  late: number;
  /** Share of invalid messages (malformed JSON, missing or wrongly typed fields, bad times). */
  invalid: number;
}

/** Avro output: the writer schema's type and the id the registry gave it (producer.ts registers it). */
export interface AvroOutput {
  id: number;
  type: avro.Type;
}

export interface MakerOptions {
  format: EventFormat | 'avro';
  /** Needed with format avro. */
  avro?: AvroOutput;
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
  /** The funnel and session fields, for the ground truth (meaningful when valid). */
  fields: TruthEventFields;
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
type InvalidKind = (typeof INVALID_KINDS)[number];

const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const EVENT_ID = ascii('{"event_id":"');
/** `<type>","timestamp":` per interaction type (its text ends the fragment of the SKU). */
const TYPE_AND_TIME: Record<string, Uint8Array> = Object.fromEntries(
  INTERACTION_TYPES.map((t) => [t, ascii(`${t}","timestamp":`)]),
);

/**
 * ISO-8601 text of a time as bytes: "2026-11-28T10:00:01." is cached per second (events of one
 * second share it), the milliseconds are written as three digits.
 */
class IsoClock {
  private second = Number.NaN;
  private readonly prefix = new Uint8Array(20);

  write(w: ByteWriter, ms: number): void {
    const s = Math.floor(ms / 1000);
    if (s !== this.second) {
      this.second = s;
      this.prefix.set(Buffer.from(new Date(s * 1000).toISOString().slice(0, 20), 'latin1'));
    }
    const r = ms - s * 1000;
    w.bytes(this.prefix);
    w.byte(0x30 + Math.floor(r / 100));
    w.byte(0x30 + (Math.floor(r / 10) % 10));
    w.byte(0x30 + (r % 10));
    w.byte(0x5a); // Z
  }

  text(ms: number): string {
    const w = new ByteWriter(Buffer.alloc(24));
    this.write(w, ms);
    return Buffer.from(w.buf).toString('latin1');
  }
}

export class EventMaker {
  /** Values are written into this slab; librdkafka copies them on produce (RK_MSG_COPY). */
  readonly buffer = Buffer.alloc(64 * 1024);
  private readonly made: MadeEvent = {
    key: '',
    user: 0,
    item: 0,
    time: 0,
    fields: { step: 0, cents: -1, category: '', session: undefined },
    valid: true,
    invalidKind: '',
    length: 0,
  };
  private readonly iso = new IsoClock();
  private readonly writer = new ByteWriter(this.buffer);
  private readonly eventId = new Uint32Array(4);

  constructor(
    private readonly catalog: Catalog,
    private readonly sessions: SessionSimulator,
    private readonly rng: Random,
    private readonly opts: MakerOptions,
  ) {}

  /**
   * The next event. Its bytes go to [0, length) of `buffer`, or, given `out`, are appended there
   * (the producer's chunk: the usual JSON event is then written once, not written and copied).
   */
  make(nowMs: number, out?: ByteWriter): MadeEvent {
    const step = this.sessions.next();
    const { mix, allowedLatenessMs, windowMs } = this.opts;
    const rng = this.rng;
    // Whole milliseconds: what the event carries (ISO text and epoch ms both), so what the truth counts.
    let time = Math.floor(nowMs);
    const u = rng.float();
    if (u < mix.outOfOrder) time -= 1 + rng.below(Math.max(1, allowedLatenessMs - 1));
    else if (u < mix.outOfOrder + mix.late) time -= allowedLatenessMs + windowMs + rng.below(5000);
    for (let i = 0; i < 4; i++) this.eventId[i] = rng.u32();

    const m = this.made;
    m.key = this.catalog.userIds[step.user];
    m.user = step.user;
    m.item = step.item;
    m.time = time;
    m.fields.step = stepOf(step.type);
    m.fields.cents = centsOf(this.catalog.itemPrice[step.item]);
    m.fields.category = this.catalog.itemCategory[step.item];
    m.fields.session = step.serial;
    m.valid = true;
    m.invalidKind = '';
    if (mix.invalid > 0 && rng.chance(mix.invalid)) {
      m.valid = false;
      m.invalidKind = INVALID_KINDS[rng.below(INVALID_KINDS.length)];
      m.length = this.writeInvalid(m.invalidKind as InvalidKind, this.fields(step, time));
    } else if (this.opts.format === 'msgpack') {
      m.length = this.encode(this.fields(step, time));
    } else if (this.opts.format === 'avro') {
      m.length = this.encodeAvro(this.fields(step, time));
    } else {
      m.length = this.writeJson(step, time, out ?? this.writer);
      return m;
    }
    out?.bytes(this.buffer.subarray(0, m.length));
    return m;
  }

  /** The fast path writes bytes straight into the reused buffer: no string, no object per event. */
  private writeJson(step: Step, time: number, w: ByteWriter): number {
    const c = this.catalog;
    if (w === this.writer) w.pos = 0;
    const start = w.pos;
    w.bytes(EVENT_ID);
    w.uuid(this.eventId);
    w.bytes(step.sessionJson);
    w.bytes(c.itemJson[step.item]);
    w.bytes(TYPE_AND_TIME[step.type]);
    if (this.opts.timestampFormat === 'iso') {
      w.byte(0x22);
      this.iso.write(w, time);
      w.byte(0x22);
    } else w.ascii(String(time));
    w.byte(0x7d);
    return w.pos - start;
  }

  /** The event as an object, for the slow paths (msgpack, invalid events). */
  private fields(step: Step, time: number): Record<string, unknown> {
    const c = this.catalog;
    return {
      event_id: uuidText(this.eventId),
      session_id: step.sessionId,
      user_id: c.userIds[step.user],
      item_id: c.itemIds[step.item],
      category: c.itemCategory[step.item],
      price_usd: c.itemPrice[step.item],
      interaction_type: step.type,
      timestamp: this.opts.timestampFormat === 'iso' ? this.iso.text(time) : time,
    };
  }

  /**
   * Confluent wire format: byte 0, the schema id (4 bytes, big-endian), the Avro binary. The time
   * is epoch ms (timestamp-millis) whatever TIMESTAMP_FORMAT says.
   */
  private encodeAvro(f: Record<string, unknown>, id = this.avro.id): number {
    this.buffer[0] = 0;
    this.buffer.writeUInt32BE(id, 1);
    const time = typeof f.timestamp === 'string' ? Date.parse(f.timestamp) : f.timestamp;
    const end = this.avro.type.encode({ ...f, timestamp: time }, this.buffer, 5);
    if (end < 0) throw internalError(`an Avro event needs ${-end} more bytes than the buffer has`);
    return end;
  }

  private get avro(): AvroOutput {
    if (!this.opts.avro) throw internalError('format avro needs the registered writer schema');
    return this.opts.avro;
  }

  private encode(o: unknown): number {
    if (this.opts.format === 'msgpack') {
      const bytes = pack(o);
      bytes.copy(this.buffer);
      return bytes.length;
    }
    return this.buffer.write(JSON.stringify(o), 0);
  }

  private writeInvalid(kind: InvalidKind, f: Record<string, unknown>): number {
    const b = this.buffer;
    if (this.opts.format === 'avro') {
      // Avro's own bad input for the structural kinds; the field-level ones (a schema cannot
      // carry them) are written as JSON: a topic may mix formats, and they are bad input either way.
      if (kind === 'truncated_json') return Math.max(6, this.encodeAvro(f) >> 1);
      if (kind === 'not_json') return this.encodeAvro(f, 0x7fff_fff0); // an id no registry gave
      if (kind === 'json_array') {
        b.set([0, 0, 1]); // shorter than the 5-byte header
        return 3;
      }
    }
    const encode = (o: unknown) =>
      this.opts.format === 'msgpack' ? this.encode(o) : this.buffer.write(JSON.stringify(o), 0);
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
