/**
 * A checkpoint record: what one flush changed, with the cut it belongs to. A record is written
 * (and fsynced) before its documents go to Elasticsearch, so it doubles as the outbox: after a
 * crash the last record's documents are sent again (same versions: idempotent). A snapshot is a
 * record that holds everything (all ids new, all documents changed).
 *
 * Typed arrays travel as bytes (msgpack bin) and are read back as aligned arrays (typed-bytes.ts view).
 */

import { RiaError } from '../errors/errors.js';
import type { AggregateState } from '../window/aggregate-state.js';
import { applyFunnelRecord, type FunnelRecord, funnelRecordOf } from './funnel-record.js';
import { bytes, view } from './typed-bytes.js';

export interface Cut {
  /** Next offset per partition: every message before it is in the state. */
  offsets: Record<number, number>;
  partitionMax: Record<number, number>;
  invalid: number;
  /** Next offset of the dead-letter topic: dead letters after it may belong to events past this cut. */
  dlqEnd: number;
  /** Highest source offset per partition in the dead-letter topic at this cut. */
  dlqCovered: Record<number, number>;
}

export interface CheckpointRecord extends Cut, FunnelRecord {
  /** Flush sequence: the external version of every document this record changes. */
  seq: number;
  /** Wall-clock time of the flush (the documents' @timestamp). */
  at: number;
  snapshot: boolean;
  valid: number;
  late: number;
  closedUpTo: number;
  firstNewItem: number;
  newItemIds: string[];
  firstNewUser: number;
  newUserIds: string[];
  itemIdx: Uint8Array;
  itemTotal: Uint8Array;
  itemMax: Uint8Array;
  itemMin: Uint8Array;
  itemClosed: Uint8Array;
  userIdx: Uint8Array;
  userTotal: Uint8Array;
  /** Every open window: its index, and its items and counts. */
  openWindows: { w: number; items: Uint8Array; counts: Uint8Array }[];
}

const u32 = (b: Uint8Array) => view(Uint32Array, b);
const f64 = (b: Uint8Array) => view(Float64Array, b);

/** A record's changed items and users as typed arrays again. */
export function changesOf(r: CheckpointRecord) {
  return {
    itemIdx: u32(r.itemIdx),
    itemTotal: f64(r.itemTotal),
    itemMax: u32(r.itemMax),
    itemMin: u32(r.itemMin),
    itemClosed: u32(r.itemClosed),
    userIdx: u32(r.userIdx),
    userTotal: f64(r.userTotal),
  };
}

/** Ids already in earlier records (a record lists the ids new since). */
export interface Known {
  items: number;
  users: number;
  categories: number;
}

export function knownOf(state: AggregateState): Known {
  return { items: state.items.size, users: state.users.size, categories: state.funnel.categories.size };
}

/** What one flush changed (AggregateState.takeDirty). */
export interface Changed {
  items: number[];
  users: number[];
  categories: number[];
}

/** The record of one flush: the changed items, users, categories and sessions, and the cut. */
export function makeRecord(
  state: AggregateState,
  changed: Changed,
  known: Known,
  cut: Cut,
  seq: number,
  at: number,
  snapshot = false,
): CheckpointRecord {
  const n = changed.items.length;
  const itemIdx = Uint32Array.from(changed.items);
  const itemTotal = new Float64Array(n);
  const itemMax = new Uint32Array(n);
  const itemMin = new Uint32Array(n);
  const itemClosed = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    const i = itemIdx[k];
    itemTotal[k] = state.itemTotal[i];
    itemMax[k] = state.itemMax[i];
    itemMin[k] = state.itemMin[i];
    itemClosed[k] = state.itemClosed[i];
  }
  const userIdx = Uint32Array.from(changed.users);
  const userTotal = new Float64Array(userIdx.length);
  for (let k = 0; k < userIdx.length; k++) userTotal[k] = state.userTotal[userIdx[k]];
  const openWindows = [...state.open.entries()].map(([w, win]) => {
    const items = Uint32Array.from(win.touched);
    const counts = new Uint32Array(items.length);
    for (let k = 0; k < items.length; k++) counts[k] = win.get(items[k]);
    return { w, items: bytes(items), counts: bytes(counts) };
  });
  const sessions = snapshot ? state.sessions.all() : state.sessions.takeDirty();
  return {
    ...cut,
    ...funnelRecordOf(state, itemIdx, changed.categories, known.categories, sessions),
    seq,
    at,
    snapshot,
    valid: state.valid,
    late: state.late,
    closedUpTo: state.closedUpTo,
    firstNewItem: known.items,
    newItemIds: state.items.idsFrom(known.items),
    firstNewUser: known.users,
    newUserIds: state.users.idsFrom(known.users),
    itemIdx: bytes(itemIdx),
    itemTotal: bytes(itemTotal),
    itemMax: bytes(itemMax),
    itemMin: bytes(itemMin),
    itemClosed: bytes(itemClosed),
    userIdx: bytes(userIdx),
    userTotal: bytes(userTotal),
    openWindows,
  };
}

/** A snapshot: every id, every document, the open windows. */
export function makeSnapshot(state: AggregateState, cut: Cut, seq: number, at: number): CheckpointRecord {
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  return makeRecord(
    state,
    {
      items: all(state.items.size),
      users: all(state.users.size),
      categories: all(state.funnel.categories.size),
    },
    { items: 0, users: 0, categories: 0 },
    cut,
    seq,
    at,
    true,
  );
}

/** Replays a record into the state (restore). Throws when records are out of order. */
export function applyRecord(state: AggregateState, r: CheckpointRecord): void {
  if (r.firstNewItem !== state.items.size || r.firstNewUser !== state.users.size) {
    throw new RiaError(
      `checkpoint record ${r.seq} does not follow the state it is applied to (ids out of order)`,
      { code: 'RIA_ERR_CHECKPOINT' },
    );
  }
  for (const id of r.newItemIds) state.internItem(id);
  for (const id of r.newUserIds) state.internUser(id);
  const c = changesOf(r);
  for (let k = 0; k < c.itemIdx.length; k++) {
    const i = c.itemIdx[k];
    state.itemTotal[i] = c.itemTotal[k];
    state.itemMax[i] = c.itemMax[k];
    state.itemMin[i] = c.itemMin[k];
    state.itemClosed[i] = c.itemClosed[k];
  }
  applyFunnelRecord(state, r, c.itemIdx);
  const uidx = c.userIdx;
  const utotal = c.userTotal;
  for (let k = 0; k < uidx.length; k++) state.userTotal[uidx[k]] = utotal[k];
  // Open windows are stored whole in every record: replace them.
  state.closeWindowsSilently();
  for (const ow of r.openWindows) {
    const win = state.openWindow(ow.w);
    const items = u32(ow.items);
    const counts = u32(ow.counts);
    for (let k = 0; k < items.length; k++) win.add(items[k], counts[k], state.items.size);
  }
  state.valid = r.valid;
  state.late = r.late;
  state.closedUpTo = r.closedUpTo;
}
