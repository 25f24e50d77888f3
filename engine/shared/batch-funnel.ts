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
import { IdTable } from './id-table.js';
import type { FunnelDelta } from './messages.js';
import { SlowIds } from './slow-ids.js';

/** Per-event scratch, one set per worker thread (batches are decoded one at a time). */
let capacity = 0;
let evItem = new Int32Array(0);
let evStep = new Uint8Array(0);
let evCents = new Float64Array(0);
let evCategory = new Int32Array(0);

export class BatchFunnel {
  private readonly fastCategories: IdTable;
  private readonly slowCategories = new SlowIds();
  private readonly fastSessions: IdTable;
  private readonly slowSessions = new SlowIds();
  private events = 0;
  private purchasesWithoutPrice = 0;
  private sessionLate = 0;
  /** Per session (batch-local index: fast ids, then n + slow ids): its span so far. */
  private readonly spanOf = new Map<number, number>();
  private readonly spanSession: number[] = [];
  private readonly spanStart: number[] = [];
  private readonly spanEnd: number[] = [];
  private readonly spanPurchase: number[] = [];

  constructor(
    bytes: Uint8Array,
    private readonly n: number,
    private readonly gapMs: number,
    private readonly allowedLatenessMs: number,
  ) {
    this.fastCategories = new IdTable(bytes, n);
    this.fastSessions = new IdTable(bytes, n);
    if (capacity < n) {
      capacity = Math.max(n, 1024);
      evItem = new Int32Array(capacity);
      evStep = new Uint8Array(capacity);
      evCents = new Float64Array(capacity);
      evCategory = new Int32Array(capacity);
    }
  }

  /** A fast-path category (bytes [start, end) of the batch; start -1: none). */
  fastCategory(start: number, end: number, hash: number): number {
    return start < 0 ? this.slowCategory(NO_CATEGORY) : this.fastCategories.add(start, end, hash);
  }

  slowCategory(category: string): number {
    return this.n + this.slowCategories.add(category);
  }

  fastSession(start: number, end: number, hash: number): number {
    return start < 0 ? -1 : this.fastSessions.add(start, end, hash);
  }

  slowSession(id: string): number {
    return id === '' ? -1 : this.n + this.slowSessions.add(id);
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
    const k = this.events++;
    evItem[k] = item;
    evCategory[k] = category;
    evStep[k] = step;
    evCents[k] = 0;
    if (step === PURCHASE_STEP) {
      if (cents < 0) this.purchasesWithoutPrice++;
      else evCents[k] = cents;
    }
    if (session < 0) return;
    if (isLateForSessions(time, maxBefore, this.allowedLatenessMs)) {
      this.sessionLate++;
      return;
    }
    const purchase = step === PURCHASE_STEP ? 1 : 0;
    const j = this.spanOf.get(session);
    if (j !== undefined && sessionsTouch(this.spanStart[j], this.spanEnd[j], time, time, this.gapMs)) {
      if (time < this.spanStart[j]) this.spanStart[j] = time;
      if (time > this.spanEnd[j]) this.spanEnd[j] = time;
      this.spanPurchase[j] |= purchase;
      return;
    }
    if (j === undefined) this.spanOf.set(session, this.spanSession.length);
    this.spanSession.push(session);
    this.spanStart.push(time);
    this.spanEnd.push(time);
    this.spanPurchase.push(purchase);
  }

  /**
   * The sums. `itemOf` maps a batch-local item index to the delta's itemIds index; `items` is
   * how many the delta has.
   */
  output(itemOf: (local: number) => number, items: number): FunnelDelta {
    const fastCount = this.fastCategories.size;
    const categoryOf = (local: number) => (local < this.n ? local : fastCount + (local - this.n));
    const categories = fastCount + this.slowCategories.ids.length;
    const itemSteps = new Uint32Array(items * FUNNEL_STEPS);
    const itemCents = new Float64Array(items);
    const categoryCounts = new Uint32Array(categories);
    const categorySteps = new Uint32Array(categories * FUNNEL_STEPS);
    const categoryCents = new Float64Array(categories);
    for (let k = 0; k < this.events; k++) {
      const i = itemOf(evItem[k]);
      const c = categoryOf(evCategory[k]);
      const step = evStep[k];
      categoryCounts[c]++;
      if (step < FUNNEL_STEPS) {
        itemSteps[i * FUNNEL_STEPS + step]++;
        categorySteps[c * FUNNEL_STEPS + step]++;
        itemCents[i] += evCents[k];
        categoryCents[c] += evCents[k];
      }
    }
    const fastSessions = this.fastSessions.size;
    return {
      itemSteps,
      itemCents,
      categoryIds: [...this.fastCategories.ids(), ...this.slowCategories.ids],
      categoryCounts,
      categorySteps,
      categoryCents,
      purchasesWithoutPrice: this.purchasesWithoutPrice,
      sessionIds: [...this.fastSessions.ids(), ...this.slowSessions.ids],
      spanSession: Uint32Array.from(this.spanSession, (s) => (s < this.n ? s : fastSessions + (s - this.n))),
      spanStart: Float64Array.from(this.spanStart),
      spanEnd: Float64Array.from(this.spanEnd),
      spanPurchase: Uint8Array.from(this.spanPurchase),
      sessionLate: this.sessionLate,
      sessionGapMs: this.gapMs,
    };
  }
}

/** A delta part with no funnel and no sessions (benchmarks and tests that build deltas by hand). */
export function noFunnel(): FunnelDelta {
  return {
    itemSteps: new Uint32Array(0),
    itemCents: new Float64Array(0),
    categoryIds: [],
    categoryCounts: new Uint32Array(0),
    categorySteps: new Uint32Array(0),
    categoryCents: new Float64Array(0),
    purchasesWithoutPrice: 0,
    sessionIds: [],
    spanSession: new Uint32Array(0),
    spanStart: new Float64Array(0),
    spanEnd: new Float64Array(0),
    spanPurchase: new Uint8Array(0),
    sessionLate: 0,
    sessionGapMs: DEFAULT_SESSION_GAP_MS,
  };
}
