/**
 * The funnel and session part of one batch's delta (docs/contract.md, "Funnel and sessions"):
 * per item and per category the four steps' counts and the purchases' revenue in cents, and per
 * session id the event-time spans of the batch. The worker records each valid event's fields
 * here as it decodes it (a few typed-array writes), and everything is summed once at the end.
 *
 * Spans need not be maximal: the flusher merges every span into the open sessions by the same
 * rule (sessionsTouch), so an event that does not touch its session's span here simply travels as
 * a span of its own.
 */
import {
  DEFAULT_SESSION_GAP_MS,
  FUNNEL_STEPS,
  isLateForSessions,
  NO_CATEGORY,
  PURCHASE_STEP,
  sessionsTouch,
} from './event-rules.js';
import { scan, scannedCents } from './fast-decode.js';
import { newFunnel } from './funnel-layout.js';
import { IdTable, idHash } from './id-table.js';
import type { FunnelDelta } from './messages.js';
import { SlowIds } from './slow-ids.js';

/**
 * Sums per batch-local item and category (fast ids 0…, slow ids n…: 2n rows), one set per worker
 * thread (batches are decoded one at a time), added to as each event is read and zeroed again
 * row range by row range when the batch's output copies them: one pass, no per-event scratch.
 */
let capacity = 0;
let itemSteps = new Uint32Array(0);
let itemCents = new Float64Array(0);
let categoryCounts = new Uint32Array(0);
let categorySteps = new Uint32Array(0);
let categoryCents = new Float64Array(0);
/** Per batch-local session (fast ids, then n + slow ids): its first span's index, -1 none; reset after each batch. */
let spanOfSession = new Int32Array(0);
/** The batch's spans (at most one per event): session, first and last time, a purchase in it. */
let spanSession = new Int32Array(0);
let spanStart = new Float64Array(0);
let spanEnd = new Float64Array(0);
let spanPurchase = new Uint8Array(0);
/** This thread's category and session tables, reused batch after batch (IdTable.reset). */
const categoryTable = new IdTable(new Uint8Array(0), 64);
const sessionTable = new IdTable(new Uint8Array(0), 1024);
/** Batches decoded by this thread: stamps the owners' last-seen entries below, so none is reset. */
let generation = 0;

/**
 * Per owner (a batch-local item for its category, a user for its session): the bytes it had last
 * and their table entry. Consecutive events of one item name the same category, of one user the
 * same session: comparing those bytes costs less than hashing them and probing the table.
 */
class LastSeen {
  stamp = new Uint32Array(0);
  start = new Int32Array(0);
  end = new Int32Array(0);
  entry = new Int32Array(0);

  ensure(n: number): void {
    if (this.stamp.length >= n) return;
    this.stamp = new Uint32Array(n);
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    this.entry = new Int32Array(n);
  }

  /** The entry of bytes b[s, e) when the owner had those bytes last in this batch, else -1. */
  get(owner: number, b: Uint8Array, s: number, e: number): number {
    if (this.stamp[owner] !== generation) return -1;
    const s0 = this.start[owner];
    if (this.end[owner] - s0 !== e - s) return -1;
    for (let i = 0; i < e - s; i++) if (b[s0 + i] !== b[s + i]) return -1;
    return this.entry[owner];
  }

  set(owner: number, s: number, e: number, entry: number): void {
    this.stamp[owner] = generation;
    this.start[owner] = s;
    this.end[owner] = e;
    this.entry[owner] = entry;
  }
}
const categoryOfItem = new LastSeen();
const sessionOfUser = new LastSeen();

export class BatchFunnel {
  private readonly fastCategories = categoryTable;
  private readonly slowCategories = new SlowIds();
  private readonly fastSessions = sessionTable;
  private readonly slowSessions = new SlowIds();
  private purchasesWithoutPrice = 0;
  private sessionLate = 0;
  private spans = 0;
  private noCategory = -1;
  private readonly text: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly n: number,
    private readonly gapMs: number,
    private readonly allowedLatenessMs: number,
  ) {
    categoryTable.reset(bytes);
    sessionTable.reset(bytes);
    if (capacity < n) {
      capacity = Math.max(n, 1024);
      itemSteps = new Uint32Array(2 * capacity * FUNNEL_STEPS);
      itemCents = new Float64Array(2 * capacity);
      categoryCounts = new Uint32Array(2 * capacity);
      categorySteps = new Uint32Array(2 * capacity * FUNNEL_STEPS);
      categoryCents = new Float64Array(2 * capacity);
      spanOfSession = new Int32Array(2 * capacity).fill(-1);
      spanSession = new Int32Array(capacity);
      spanStart = new Float64Array(capacity);
      spanEnd = new Float64Array(capacity);
      spanPurchase = new Uint8Array(capacity);
      categoryOfItem.ensure(capacity);
      sessionOfUser.ensure(capacity);
    }
    generation = (generation + 1) >>> 0 || 1;
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** A fast-path category (bytes [start, end) of the batch; start -1: none) of the batch's fast item `item`. */
  fastCategory(start: number, end: number, item: number): number {
    if (start < 0) {
      if (this.noCategory < 0) this.noCategory = this.slowCategory(NO_CATEGORY);
      return this.noCategory;
    }
    const b = this.bytes;
    let c = categoryOfItem.get(item, b, start, end);
    if (c < 0) {
      c = this.fastCategories.add(start, end, idHash(b, start, end));
      categoryOfItem.set(item, start, end, c);
    }
    return c;
  }

  slowCategory(category: string): number {
    return this.n + this.slowCategories.add(category);
  }

  /** A fast-path session id (start -1: none) of the batch's fast user `user`. */
  fastSession(start: number, end: number, user: number): number {
    if (start < 0) return -1;
    const b = this.bytes;
    let s = sessionOfUser.get(user, b, start, end);
    if (s < 0) {
      s = this.fastSessions.add(start, end, idHash(b, start, end));
      sessionOfUser.set(user, start, end, s);
    }
    return s;
  }

  slowSession(id: string): number {
    return id === '' ? -1 : this.n + this.slowSessions.add(id);
  }

  /**
   * The event the byte scanner just accepted (fast-decode.ts `scan`), of the batch's fast item and
   * user, with its partition's maximum event time before it. Prices are read for purchases only:
   * the one string it costs is rare.
   */
  addScanned(item: number, user: number, maxBefore: number): void {
    this.add(
      item,
      this.fastCategory(scan.categoryStart, scan.categoryEnd, item),
      scan.step,
      scan.step === PURCHASE_STEP ? scannedCents(this.text) : -1,
      this.fastSession(scan.sessionStart, scan.sessionEnd, user),
      scan.time,
      maxBefore,
    );
  }

  /**
   * One valid event: its item and category (batch-local), funnel step, price in cents (-1: none),
   * session (-1: none), time, and its partition's maximum event time before it.
   */
  add(
    item: number,
    category: number,
    step: number,
    cents: number,
    session: number,
    time: number,
    maxBefore: number,
  ): void {
    categoryCounts[category]++;
    if (step < FUNNEL_STEPS) {
      itemSteps[item * FUNNEL_STEPS + step]++;
      categorySteps[category * FUNNEL_STEPS + step]++;
      if (step === PURCHASE_STEP) {
        if (cents < 0) this.purchasesWithoutPrice++;
        else {
          itemCents[item] += cents;
          categoryCents[category] += cents;
        }
      }
    }
    if (session < 0) return;
    if (isLateForSessions(time, maxBefore, this.allowedLatenessMs)) {
      this.sessionLate++;
      return;
    }
    const purchase = step === PURCHASE_STEP ? 1 : 0;
    const j = spanOfSession[session];
    if (j >= 0 && sessionsTouch(spanStart[j], spanEnd[j], time, time, this.gapMs)) {
      if (time < spanStart[j]) spanStart[j] = time;
      if (time > spanEnd[j]) spanEnd[j] = time;
      spanPurchase[j] |= purchase;
      return;
    }
    const k2 = this.spans++;
    if (j < 0) spanOfSession[session] = k2;
    spanSession[k2] = session;
    spanStart[k2] = time;
    spanEnd[k2] = time;
    spanPurchase[k2] = purchase;
  }

  /**
   * The sums, in the delta's order: the batch's fast items (`fastItems` of them) then its slow
   * ones (`slowItems`), likewise categories and sessions; the rows are zeroed for the next batch.
   */
  output(fastItems: number, slowItems: number): FunnelDelta {
    const n = this.n;
    const fastCategories = this.fastCategories.size;
    const slowCategories = this.slowCategories.ids.length;
    const slowSessions = this.slowSessions.ids.map((id) => Buffer.from(id, 'utf8'));
    const fastSessions = this.fastSessions.size;
    const { funnel, at } = newFunnel(
      fastItems + slowItems,
      fastCategories + slowCategories,
      fastSessions + slowSessions.length,
      this.spans,
    );
    moveRows(itemSteps, funnel, at.itemSteps, n, fastItems, slowItems, FUNNEL_STEPS);
    moveRows(itemCents, funnel, at.itemCents, n, fastItems, slowItems, 1);
    moveRows(categoryCounts, funnel, at.categoryCounts, n, fastCategories, slowCategories, 1);
    moveRows(categorySteps, funnel, at.categorySteps, n, fastCategories, slowCategories, FUNNEL_STEPS);
    moveRows(categoryCents, funnel, at.categoryCents, n, fastCategories, slowCategories, 1);
    const sessionBytes = this.fastSessions.packInto(funnel, at.sessionEnds, at.sessionHashes, slowSessions);
    for (let k = 0; k < this.spans; k++) {
      const s = spanSession[k];
      funnel[at.spanSession + k] = s < n ? s : fastSessions + (s - n);
      funnel[at.spanStart + k] = spanStart[k];
      funnel[at.spanEnd + k] = spanEnd[k];
      funnel[at.spanPurchase + k] = spanPurchase[k];
      spanOfSession[s] = -1;
    }
    return {
      categoryIds: [...this.fastCategories.ids(), ...this.slowCategories.ids],
      sessionBytes,
      funnel,
      purchasesWithoutPrice: this.purchasesWithoutPrice,
      sessionLate: this.sessionLate,
      sessionGapMs: this.gapMs,
    };
  }
}

/**
 * Rows [0, fast) then [n, n + slow) of `rows` (`width` numbers each) into `out` from `to`, one
 * after the other, zeroed behind for the next batch.
 */
function moveRows(
  rows: Uint32Array | Float64Array,
  out: Float64Array,
  to: number,
  n: number,
  fast: number,
  slow: number,
  width: number,
): void {
  for (let i = 0; i < fast * width; i++) {
    out[to + i] = rows[i];
    rows[i] = 0;
  }
  for (let i = 0, from = n * width, at = to + fast * width; i < slow * width; i++) {
    out[at + i] = rows[from + i];
    rows[from + i] = 0;
  }
}

/** A delta part with no funnel and no sessions (benchmarks and tests that build deltas by hand). */
export function noFunnel(): FunnelDelta {
  return {
    categoryIds: [],
    sessionBytes: new Uint8Array(0),
    funnel: newFunnel(0, 0, 0, 0).funnel,
    purchasesWithoutPrice: 0,
    sessionLate: 0,
    sessionGapMs: DEFAULT_SESSION_GAP_MS,
  };
}
