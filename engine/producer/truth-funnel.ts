/**
 * The ground truth of the funnel and sessions (docs/contract.md, "Funnel and sessions"), written
 * straight from the definitions and apart from the engine's code (window/funnel-state.ts,
 * window/session-state.ts), so that one checks the other: per item and category the steps and
 * cents, and per partition and session id the spans of on-time events, merged when less than the
 * gap apart, closed when the partition's watermark reaches their end + the gap.
 */
import { FUNNEL_STEPS, isLateForSessions, PURCHASE_STEP } from '../shared/event-rules.js';

export interface TruthFunnel {
  views: number;
  clicks: number;
  add_to_cart: number;
  purchases: number;
  revenue_cents: number;
}

export interface TruthSessions {
  sessions: number;
  purchasing_sessions: number;
  sessions_open: number;
  session_late_events: number;
}

/** Steps and cents of one id. */
export class FunnelCount {
  readonly steps = [0, 0, 0, 0];
  cents = 0;
  total = 0;

  add(step: number, cents: number): boolean {
    this.total++;
    if (step >= FUNNEL_STEPS) return false;
    this.steps[step]++;
    const withoutPrice = step === PURCHASE_STEP && cents < 0;
    if (step === PURCHASE_STEP && cents >= 0) this.cents += cents;
    return withoutPrice;
  }

  result(): TruthFunnel {
    const [views, clicks, add_to_cart, purchases] = this.steps;
    return { views, clicks, add_to_cart, purchases, revenue_cents: this.cents };
  }
}

interface Span {
  start: number;
  end: number;
  purchase: boolean;
}

/** Open sessions per partition and session key, and what closed. */
export class SessionTruth {
  private readonly open = new Map<number, Map<string | number, Span[]>>();
  private closed = 0;
  private purchasing = 0;
  private late = 0;

  constructor(
    private readonly gapMs: number,
    private readonly allowedLatenessMs: number,
  ) {}

  /** An event of session `key`, in partition order; `maxBefore` is the partition's max event time before it. */
  add(partition: number, key: string | number, time: number, purchase: boolean, maxBefore: number): void {
    if (isLateForSessions(time, maxBefore, this.allowedLatenessMs)) {
      this.late++;
      return;
    }
    let byKey = this.open.get(partition);
    if (!byKey) {
      byKey = new Map();
      this.open.set(partition, byKey);
    }
    const spans = byKey.get(key) ?? [];
    let merged: Span = { start: time, end: time, purchase };
    // One event joins every span it is less than a gap from; they become one. (Spans of a key
    // are more than a gap apart, so whatever lies between two of them touches the event too.)
    const rest: Span[] = [];
    for (const s of spans) {
      if (time > s.start - this.gapMs && time < s.end + this.gapMs) {
        merged = {
          start: Math.min(merged.start, s.start),
          end: Math.max(merged.end, s.end),
          purchase: merged.purchase || s.purchase,
        };
      } else rest.push(s);
    }
    rest.push(merged);
    byKey.set(key, rest);
  }

  /** Closes what each partition's watermark (`partitionMax` − lateness) has passed by a gap. */
  close(partitionMax: ArrayLike<number>): void {
    for (const [p, byKey] of this.open) {
      const watermark = partitionMax[p] - this.allowedLatenessMs;
      for (const [key, spans] of byKey) {
        const still = spans.filter((s) => {
          if (s.end + this.gapMs > watermark) return true;
          this.closed++;
          if (s.purchase) this.purchasing++;
          return false;
        });
        if (still.length === 0) byKey.delete(key);
        else if (still.length !== spans.length) byKey.set(key, still);
      }
    }
  }

  result(): TruthSessions {
    let open = 0;
    for (const byKey of this.open.values()) for (const spans of byKey.values()) open += spans.length;
    return {
      sessions: this.closed,
      purchasing_sessions: this.purchasing,
      sessions_open: open,
      session_late_events: this.late,
    };
  }
}
