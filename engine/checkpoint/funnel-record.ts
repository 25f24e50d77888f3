/**
 * The funnel and session part of a checkpoint record (record.ts): the changed items' steps and
 * cents, the changed categories (new ones by id, in index order), the global sums, and every
 * session id whose spans changed — with its spans now (none: it closed). A snapshot holds every
 * category and every open session.
 */
import { RiaError } from '../errors/errors.js';
import { FUNNEL_STEPS } from '../shared/event-rules.js';
import type { AggregateState } from '../window/aggregate-state.js';
import { type SessionChanges, sessionChangesOf } from '../window/session-changes.js';
import { bytes, view } from './typed-bytes.js';

/** Per id: the four steps, then cents. */
const ITEM_COLUMNS = FUNNEL_STEPS + 1;
/** Per category: its events, the four steps, then cents. */
const CATEGORY_COLUMNS = FUNNEL_STEPS + 2;

export interface FunnelRecord {
  /** Per changed item (the record's itemIdx order): ITEM_COLUMNS doubles. */
  itemFunnel: Uint8Array;
  firstNewCategory: number;
  newCategoryIds: string[];
  categoryIdx: Uint8Array;
  categoryValues: Uint8Array;
  /** Global: the four steps, cents, purchases without a price. */
  funnelTotals: number[];
  /** Sessions closed, closed with a purchase, events late for sessions. */
  sessionCounts: number[];
  /** Open sessions at this cut (spans, as counted by SessionState). */
  sessionsOpen: number;
  /**
   * The session ids whose spans changed (all open ones in a snapshot): typed arrays as bytes, the
   * ids' UTF-8 bytes back to back (records written before this form have `ids` as strings).
   */
  sessions: {
    partitions: Uint8Array;
    idBytes?: Uint8Array;
    idEnds?: Uint8Array;
    ids?: string[];
    counts: Uint8Array;
    starts: Uint8Array;
    ends: Uint8Array;
    purchases: Uint8Array;
  };
}

export function funnelRecordOf(
  state: AggregateState,
  items: Uint32Array,
  categories: number[],
  knownCategories: number,
  sessions: SessionChanges,
): FunnelRecord {
  const f = state.funnel;
  const itemFunnel = new Float64Array(items.length * ITEM_COLUMNS);
  for (let k = 0; k < items.length; k++) {
    const i = items[k];
    for (let s = 0; s < FUNNEL_STEPS; s++) itemFunnel[k * ITEM_COLUMNS + s] = f.items.step(i, s);
    itemFunnel[k * ITEM_COLUMNS + FUNNEL_STEPS] = f.items.cents[i];
  }
  const categoryValues = new Float64Array(categories.length * CATEGORY_COLUMNS);
  for (let k = 0; k < categories.length; k++) {
    const c = categories[k];
    const row = k * CATEGORY_COLUMNS;
    categoryValues[row] = f.categoryTotal[c];
    for (let s = 0; s < FUNNEL_STEPS; s++) categoryValues[row + 1 + s] = f.categoryColumns.step(c, s);
    categoryValues[row + 1 + FUNNEL_STEPS] = f.categoryColumns.cents[c];
  }
  const ss = state.sessions;
  return {
    itemFunnel: bytes(itemFunnel),
    firstNewCategory: knownCategories,
    newCategoryIds: f.categories.idsFrom(knownCategories),
    categoryIdx: bytes(Uint32Array.from(categories)),
    categoryValues: bytes(categoryValues),
    funnelTotals: [...f.steps, f.cents, f.purchasesWithoutPrice],
    sessionCounts: [ss.closed, ss.purchasing, ss.late],
    sessionsOpen: ss.open,
    sessions: {
      partitions: bytes(sessions.partitions),
      idBytes: sessions.idBytes,
      idEnds: bytes(sessions.idEnds),
      counts: bytes(sessions.counts),
      starts: bytes(sessions.starts),
      ends: bytes(sessions.ends),
      purchases: sessions.purchases,
    },
  };
}

/** Replays the funnel part into the state; `items` are the record's changed item indices. */
export function applyFunnelRecord(state: AggregateState, r: FunnelRecord, items: Uint32Array): void {
  const f = state.funnel;
  if (r.firstNewCategory !== f.categories.size)
    throw new RiaError(
      `checkpoint record does not follow the state it is applied to (categories out of order)`,
      {
        code: 'RIA_ERR_CHECKPOINT',
      },
    );
  for (const id of r.newCategoryIds) f.internCategory(id);
  const itemFunnel = view(Float64Array, r.itemFunnel);
  for (let k = 0; k < items.length; k++) {
    const i = items[k];
    for (let s = 0; s < FUNNEL_STEPS; s++)
      f.items.steps[i * FUNNEL_STEPS + s] = itemFunnel[k * ITEM_COLUMNS + s];
    f.items.cents[i] = itemFunnel[k * ITEM_COLUMNS + FUNNEL_STEPS];
  }
  const idx = view(Uint32Array, r.categoryIdx);
  const values = view(Float64Array, r.categoryValues);
  for (let k = 0; k < idx.length; k++) {
    const c = idx[k];
    const row = k * CATEGORY_COLUMNS;
    f.categoryTotal[c] = values[row];
    for (let s = 0; s < FUNNEL_STEPS; s++)
      f.categoryColumns.steps[c * FUNNEL_STEPS + s] = values[row + 1 + s];
    f.categoryColumns.cents[c] = values[row + 1 + FUNNEL_STEPS];
  }
  for (let s = 0; s < FUNNEL_STEPS; s++) f.steps[s] = r.funnelTotals[s];
  f.cents = r.funnelTotals[FUNNEL_STEPS];
  f.purchasesWithoutPrice = r.funnelTotals[FUNNEL_STEPS + 1];
  const ss = state.sessions;
  [ss.closed, ss.purchasing, ss.late] = r.sessionCounts;
  const s = r.sessions;
  const spans = {
    partitions: view(Uint32Array, s.partitions),
    counts: view(Uint32Array, s.counts),
    starts: view(Float64Array, s.starts),
    ends: view(Float64Array, s.ends),
    purchases: s.purchases,
  };
  ss.apply(
    s.idBytes && s.idEnds
      ? { ...spans, idBytes: s.idBytes, idEnds: view(Uint32Array, s.idEnds) }
      : sessionChangesOf({ ...spans, ids: s.ids ?? [] }),
  );
}

/** A record's changed categories and their values (documents.ts). */
export function categoriesOf(r: FunnelRecord) {
  return { idx: view(Uint32Array, r.categoryIdx), values: view(Float64Array, r.categoryValues) };
}

export function itemFunnelOf(r: FunnelRecord): Float64Array {
  return view(Float64Array, r.itemFunnel);
}

export { CATEGORY_COLUMNS, ITEM_COLUMNS };
