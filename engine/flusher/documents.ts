/**
 * The documents one checkpoint record changes, at version = its sequence, as bulk lines written
 * from templates: one JSON.stringify per document (its id, used in the action and the document)
 * instead of an object per document and a stringify per line. At a steady few thousand events/s
 * nearly every event changes a user document, so this is per-event cost
 * (results/engine-steady-cost.json).
 */
import { CATEGORY_COLUMNS, categoriesOf, ITEM_COLUMNS, itemFunnelOf } from '../checkpoint/funnel-record.js';
import { type CheckpointRecord, changesOf } from '../checkpoint/record.js';
import { FUNNEL_STEPS } from '../shared/event-rules.js';
import { AVG_INDEX, CATEGORY_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';
import { actionPrefixOf, actionSuffixOf, type Doc, linesOf } from '../sink/bulk-writer.js';
import type { AggregateState } from '../window/aggregate-state.js';

/** The funnel fields (docs/contract.md) of steps at values[at .. at + 4] and cents after them. */
function funnelFields(values: ArrayLike<number>, at: number) {
  const views = values[at];
  const purchases = values[at + 3];
  const cents = values[at + FUNNEL_STEPS];
  return {
    views,
    clicks: values[at + 1],
    add_to_cart: values[at + 2],
    purchases,
    revenue_cents: cents,
    revenue_usd: cents / 100,
    conversion_rate: views > 0 ? purchases / views : null,
  };
}

/**
 * Whole cents as dollars, the text `${cents / 100}` gives, from integers: a double's shortest
 * digits cost a few hundred ns, and every changed item's document has them. Below 10^14 cents
 * the quotient's shortest form is its two decimals without trailing zeros (documents.test.ts).
 */
export function usdText(cents: number): string {
  if (!(cents >= 0 && cents < 1e14 && Number.isInteger(cents))) return `${cents / 100}`;
  const c = cents % 100;
  const dollars = (cents - c) / 100;
  if (c === 0) return `${dollars}`;
  if (c % 10 === 0) return `${dollars}.${c / 10}`;
  return `${dollars}.${c < 10 ? '0' : ''}${c}`;
}

/** The same as JSON members, without braces (appended to a document's template). */
function funnelJson(values: ArrayLike<number>, at: number): string {
  const views = values[at];
  const purchases = values[at + 3];
  const cents = values[at + FUNNEL_STEPS];
  return `"views":${views},"clicks":${values[at + 1]},"add_to_cart":${values[at + 2]},"purchases":${purchases},"revenue_cents":${cents},"revenue_usd":${usdText(cents)},"conversion_rate":${views > 0 ? purchases / views : null}`;
}

export function documentsOf(
  s: AggregateState,
  r: CheckpointRecord,
  settings: { windowMs: number; allowedLatenessMs: number; sessionGapMs: number },
): Doc[] {
  const iso = new Date(r.at).toISOString();
  const at = `"${iso}"`; // an ISO time needs no escaping
  const version = r.seq;
  const afterId = actionSuffixOf(version);
  const itemAction = actionPrefixOf(JSON.stringify(ITEM_INDEX));
  const userAction = actionPrefixOf(JSON.stringify(USER_INDEX));
  const categoryAction = actionPrefixOf(JSON.stringify(CATEGORY_INDEX));
  const docs: Doc[] = [];
  const c = changesOf(r);
  const itemFunnel = itemFunnelOf(r);
  for (let k = 0; k < c.itemIdx.length; k++) {
    const id = s.items.idOf(c.itemIdx[k]);
    const idJson = JSON.stringify(id);
    // min/max per second exist once a window of the item has closed.
    const closed = c.itemClosed[k];
    const max = closed > 0 ? c.itemMax[k] : null;
    const min = closed > 0 ? c.itemMin[k] : null;
    docs.push({
      index: ITEM_INDEX,
      id,
      lines: `${itemAction}${idJson}${afterId}{"item_id":${idJson},"total_interactions":${c.itemTotal[k]},"max_per_sec":${max},"min_per_sec":${min},"windows":${closed},${funnelJson(itemFunnel, k * ITEM_COLUMNS)},"@timestamp":${at}}\n`,
    });
  }
  for (let k = 0; k < c.userIdx.length; k++) {
    const id = s.users.idOf(c.userIdx[k]);
    const idJson = JSON.stringify(id);
    docs.push({
      index: USER_INDEX,
      id,
      lines: `${userAction}${idJson}${afterId}{"user_id":${idJson},"total_interactions":${c.userTotal[k]},"@timestamp":${at}}\n`,
    });
  }
  const categories = categoriesOf(r);
  for (let k = 0; k < categories.idx.length; k++) {
    const id = s.funnel.categories.idOf(categories.idx[k]);
    const idJson = JSON.stringify(id);
    const row = k * CATEGORY_COLUMNS;
    docs.push({
      index: CATEGORY_INDEX,
      id,
      lines: `${categoryAction}${idJson}${afterId}{"category":${idJson},"total_interactions":${categories.values[row]},${funnelJson(categories.values, row + 1)},"@timestamp":${at}}\n`,
    });
  }
  docs.push(globalDocument(r, version, iso, settings));
  return docs;
}

function globalDocument(
  r: CheckpointRecord,
  version: number,
  iso: string,
  settings: { windowMs: number; allowedLatenessMs: number; sessionGapMs: number },
): Doc {
  const distinct = r.firstNewUser + r.newUserIds.length;
  const [sessions, purchasing, sessionLate] = r.sessionCounts;
  return {
    index: AVG_INDEX,
    id: GLOBAL_DOC_ID,
    lines: linesOf(
      JSON.stringify(AVG_INDEX),
      JSON.stringify(GLOBAL_DOC_ID),
      version,
      JSON.stringify({
        avg_interactions_per_user: distinct === 0 ? 0 : r.valid / distinct,
        total_interactions: r.valid,
        distinct_users: distinct,
        late_events: r.late,
        invalid_events: r.invalid,
        ...funnelFields(r.funnelTotals, 0),
        purchases_without_price: r.funnelTotals[FUNNEL_STEPS + 1],
        sessions,
        purchasing_sessions: purchasing,
        session_conversion_rate: sessions > 0 ? purchasing / sessions : null,
        sessions_open: r.sessionsOpen,
        session_late_events: sessionLate,
        window_ms: settings.windowMs,
        allowed_lateness_ms: settings.allowedLatenessMs,
        session_gap_ms: settings.sessionGapMs,
        '@timestamp': iso,
      }),
    ),
  };
}
