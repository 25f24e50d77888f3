/**
 * Shopping sessions that walk the funnel view → click → add_to_cart → purchase.
 *
 * A fixed number of sessions are open at once. Each has a next-step time on a virtual clock
 * (think time, exponentially distributed); the session whose step is due first acts next, so
 * sessions interleave as they would in a shop. The clock only orders steps: how fast events
 * leave is the rate limiter's business. A step either goes one stage deeper in the funnel with
 * the configured probability, or ends the journey on this item; then the session looks at
 * another item (Zipf popularity) or ends and a new session of a random user takes its place.
 */
import type { InteractionType } from '../shared/event-rules.js';
import { ByteWriter } from './byte-writer.js';
import type { Catalog } from './catalog.js';
import type { Random } from './random.js';
import type { ZipfSampler } from './zipf.js';

export interface FunnelRates {
  /** P(click | view). */
  click: number;
  /** P(add_to_cart | click). */
  addToCart: number;
  /** P(purchase | add_to_cart). */
  purchase: number;
  /** P(another item | journey on an item ended); otherwise the session ends. */
  nextItem: number;
}

export const DEFAULT_FUNNEL: FunnelRates = { click: 0.35, addToCart: 0.3, purchase: 0.45, nextItem: 0.8 };

const STAGE_TYPES: InteractionType[] = ['view', 'click', 'add_to_cart', 'purchase'];
const STAGE_NEW = -1;

/** Starts the text a session contributes to each of its events. */
const SESSION_ID = new Uint8Array(Buffer.from('","session_id":"', 'latin1'));
const UUID_LENGTH = 36;

export class Step {
  user = 0;
  item = 0;
  type: InteractionType = 'view';
  /** The session's number, unique in this run (the ground truth keys sessions by it, not by its id's text). */
  serial = 0;
  /**
   * `","session_id":"<uuid>","user_id":"<user>` — fixed for a session, so an event copies it
   * as one piece (a view into the simulator's arena, made once per session).
   */
  sessionJson: Uint8Array = new Uint8Array(0);

  get sessionId(): string {
    const at = SESSION_ID.length;
    return Buffer.from(this.sessionJson.buffer, this.sessionJson.byteOffset + at, UUID_LENGTH).toString(
      'latin1',
    );
  }
}

export class SessionSimulator {
  private readonly user: Int32Array;
  private readonly item: Int32Array;
  private readonly stage: Int8Array;
  /** Per session slot, its `sessionJson` text (stride bytes each) and a view of it. */
  private readonly arena: Uint8Array;
  private readonly stride: number;
  private readonly sessionJson: Uint8Array[];
  private readonly arenaWriter: ByteWriter;
  private readonly uuid = new Uint32Array(4);
  private readonly due: Float64Array;
  private readonly serial: Float64Array;
  private sessionsStarted = 0;
  /** Binary min-heap of session slots ordered by `due`. */
  private readonly heap: Int32Array;
  private readonly step = new Step();

  constructor(
    private readonly catalog: Catalog,
    private readonly popularity: ZipfSampler,
    private readonly funnel: FunnelRates,
    private readonly rng: Random,
    concurrent: number,
    private readonly thinkTimeMs: number,
  ) {
    this.user = new Int32Array(concurrent);
    this.item = new Int32Array(concurrent);
    this.stage = new Int8Array(concurrent);
    let longestUser = 0;
    for (const u of catalog.userJson) longestUser = Math.max(longestUser, u.length);
    this.stride = SESSION_ID.length + UUID_LENGTH + longestUser;
    this.arena = new Uint8Array(this.stride * concurrent);
    this.arenaWriter = new ByteWriter(this.arena);
    this.sessionJson = new Array(concurrent);
    this.due = new Float64Array(concurrent);
    this.serial = new Float64Array(concurrent);
    this.heap = new Int32Array(concurrent);
    for (let s = 0; s < concurrent; s++) {
      this.startSession(s);
      this.due[s] = rng.exponential(thinkTimeMs);
      this.heap[s] = s;
    }
    for (let i = (concurrent >>> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The next step of the session that is due first. The returned object is reused. */
  next(): Step {
    const s = this.heap[0];
    const st = this.stage[s];
    const f = this.funnel;
    const deeper = st === 0 ? f.click : st === 1 ? f.addToCart : st === 2 ? f.purchase : 0;
    if (st >= 0 && st < 3 && this.rng.chance(deeper)) {
      this.stage[s] = st + 1;
    } else {
      if (st !== STAGE_NEW && !this.rng.chance(f.nextItem)) this.startSession(s);
      this.item[s] = this.popularity.sample(this.rng);
      this.stage[s] = 0;
    }
    const out = this.step;
    out.user = this.user[s];
    out.item = this.item[s];
    out.type = STAGE_TYPES[this.stage[s]];
    out.sessionJson = this.sessionJson[s];
    out.serial = this.serial[s];
    this.due[s] += this.rng.exponential(this.thinkTimeMs);
    this.siftDown(0);
    return out;
  }

  private startSession(s: number): void {
    const user = this.rng.below(this.catalog.users);
    this.user[s] = user;
    this.serial[s] = this.sessionsStarted++;
    // Written in place: no string or buffer per session.
    for (let i = 0; i < 4; i++) this.uuid[i] = this.rng.u32();
    const userJson = this.catalog.userJson[user];
    const w = this.arenaWriter;
    w.pos = s * this.stride;
    w.bytes(SESSION_ID);
    w.uuid(this.uuid);
    w.bytes(userJson);
    const current = this.sessionJson[s];
    if (current === undefined || current.length !== w.pos - s * this.stride)
      this.sessionJson[s] = this.arena.subarray(s * this.stride, w.pos);
    this.stage[s] = STAGE_NEW;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const due = this.due;
    const n = heap.length;
    const slot = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && due[heap[r]] < due[heap[l]] ? r : l;
      if (due[heap[c]] >= due[slot]) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = slot;
  }
}
