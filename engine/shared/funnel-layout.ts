/**
 * The funnel part of a delta is one Float64Array (FunnelDelta.funnel), cut into sections here.
 * A delta crosses two threads (pool worker → main → flusher) and every typed array in it costs an
 * allocation and a copy per hop whatever its size: at a steady rate, with batches of tens of
 * events, a dozen small arrays cost more than the events in them (results/funnel-cost.json).
 * Counts, cents, times, hashes and indices are all exact in a double.
 *
 *   [sessions, spans | itemSteps (items × 4) | itemCents (items) | categoryCounts (categories) |
 *    categorySteps (categories × 4) | categoryCents | sessionEnds (sessions) | sessionHashes |
 *    spanSession (spans) | spanStart | spanEnd | spanPurchase]
 *
 * Sections are offsets into the array, not views (a view per section and delta cost more than
 * the copy it saves). Items and categories are the delta's itemIds and categoryIds, in their
 * order; session k is bytes [end of k-1, end of k) of the delta's sessionBytes.
 */
import { FUNNEL_STEPS } from './event-rules.js';

/** Where each section starts, and the counts. */
export interface FunnelLayout {
  sessions: number;
  spans: number;
  itemSteps: number;
  itemCents: number;
  categoryCounts: number;
  categorySteps: number;
  categoryCents: number;
  sessionEnds: number;
  sessionHashes: number;
  spanSession: number;
  spanStart: number;
  spanEnd: number;
  spanPurchase: number;
}

const HEADER = 2;

/** A zeroed funnel array for these counts, and its layout. */
export function newFunnel(
  items: number,
  categories: number,
  sessions: number,
  spans: number,
): { funnel: Float64Array; at: FunnelLayout } {
  const funnel = new Float64Array(
    HEADER + items * (FUNNEL_STEPS + 1) + categories * (FUNNEL_STEPS + 2) + sessions * 2 + spans * 4,
  );
  funnel[0] = sessions;
  funnel[1] = spans;
  return { funnel, at: funnelLayout(funnel, items, categories) };
}

/** The layout of a delta's funnel array. */
export function funnelLayout(funnel: Float64Array, items: number, categories: number): FunnelLayout {
  const sessions = funnel[0];
  const spans = funnel[1];
  const itemSteps = HEADER;
  const itemCents = itemSteps + items * FUNNEL_STEPS;
  const categoryCounts = itemCents + items;
  const categorySteps = categoryCounts + categories;
  const categoryCents = categorySteps + categories * FUNNEL_STEPS;
  const sessionEnds = categoryCents + categories;
  const sessionHashes = sessionEnds + sessions;
  const spanSession = sessionHashes + sessions;
  const spanStart = spanSession + spans;
  const spanEnd = spanStart + spans;
  const spanPurchase = spanEnd + spans;
  return {
    sessions,
    spans,
    itemSteps,
    itemCents,
    categoryCounts,
    categorySteps,
    categoryCents,
    sessionEnds,
    sessionHashes,
    spanSession,
    spanStart,
    spanEnd,
    spanPurchase,
  };
}

/** The sections as views (tests and tools; the hot paths index the array by its layout). */
export function funnelSections(funnel: Float64Array, items: number, categories: number) {
  const at = funnelLayout(funnel, items, categories);
  const view = (from: number, n: number) => funnel.subarray(from, from + n);
  return {
    itemSteps: view(at.itemSteps, items * FUNNEL_STEPS),
    itemCents: view(at.itemCents, items),
    categoryCounts: view(at.categoryCounts, categories),
    categorySteps: view(at.categorySteps, categories * FUNNEL_STEPS),
    categoryCents: view(at.categoryCents, categories),
    sessionEnds: view(at.sessionEnds, at.sessions),
    sessionHashes: view(at.sessionHashes, at.sessions),
    spanSession: view(at.spanSession, at.spans),
    spanStart: view(at.spanStart, at.spans),
    spanEnd: view(at.spanEnd, at.spans),
    spanPurchase: view(at.spanPurchase, at.spans),
  };
}
