/**
 * One counter flush of one source partition, as a Kafka message of the deltas topic: the pool's
 * batch deltas for source offsets [from, next), with the partition's maximum event time and
 * idleness at `next`. Written in a Kafka transaction together with the source offsets (so the
 * merger, reading committed messages only, sees each source offset counted exactly once), and
 * read back by the next owner of the partition to resume at `next` with the same maximum.
 */
import { Packr } from 'msgpackr';
import { RiaError } from '../errors/errors.js';
import { newFunnel } from '../shared/funnel-layout.js';
import { packIds } from '../shared/id-table.js';
import type { BatchDelta } from '../shared/messages.js';

export interface DeltaRecord {
  format: typeof DELTA_FORMAT;
  /** Source partition (the deltas topic partition of the same number holds its records). */
  partition: number;
  from: number;
  next: number;
  /** Max valid event time of the partition after `next` (-Infinity: none yet). */
  partitionMax: number;
  /** Caught up and quiet for IDLE_TIMEOUT_MS at `next`: its watermark does not hold windows open. */
  idle: boolean;
  /** Invalid messages in [from, next) (their dead letters are in the same transaction). */
  invalid: number;
  deltas: BatchDelta[];
}

export const DELTA_FORMAT = 'ria-delta/1';

// Typed arrays travel as typed arrays (msgpack extensions), not as lists of numbers.
const packr = new Packr({ moreTypes: true, structuredClone: false });

/** The parts of a delta the merger needs (dead-letter bytes stay with the counter). */
function slim(d: BatchDelta): BatchDelta {
  return {
    ...d,
    invalidIndex: new Int32Array(0),
    invalidReasons: [],
    invalidValues: new Uint8Array(0),
    invalidEnds: new Int32Array(0),
    invalidOffsets: new Float64Array(0),
  };
}

export function encodeDeltaRecord(r: Omit<DeltaRecord, 'format'>): Buffer {
  return packr.pack({ ...r, format: DELTA_FORMAT, deltas: r.deltas.map(slim) });
}

export function decodeDeltaRecord(bytes: Uint8Array): DeltaRecord {
  const r = packr.unpack(bytes) as DeltaRecord;
  if (r?.format !== DELTA_FORMAT)
    throw new RiaError(
      `not a ${DELTA_FORMAT} record (format ${String(r?.format)}): is the deltas topic shared?`,
      { code: 'RIA_ERR_DELTAS' },
    );
  for (const d of r.deltas) if (!d.funnel) Object.assign(d, funnelOfSeparateArrays(d));
  return r;
}

/** A delta written before its funnel part was one array: separate arrays, session ids as strings. */
interface SeparateArrays {
  itemSteps?: Uint32Array;
  itemCents?: Float64Array;
  categoryIds?: string[];
  categoryCounts?: Uint32Array;
  categorySteps?: Uint32Array;
  categoryCents?: Float64Array;
  sessionIds?: string[];
  spanSession?: Uint32Array;
  spanStart?: Float64Array;
  spanEnd?: Float64Array;
  spanPurchase?: Uint8Array;
}

/** The funnel part of such a delta as this build reads it (none at all: an empty one). */
function funnelOfSeparateArrays(d: SeparateArrays & Pick<BatchDelta, 'itemIds'>) {
  const categories = d.categoryIds ?? [];
  const sessions = packIds(d.sessionIds ?? []);
  const spans = d.spanSession?.length ?? 0;
  const { funnel, at } = newFunnel(d.itemIds.length, categories.length, sessions.ends.length, spans);
  const copy = (to: number, from: ArrayLike<number> | undefined) => from && funnel.set(from, to);
  copy(at.itemSteps, d.itemSteps);
  copy(at.itemCents, d.itemCents);
  copy(at.categoryCounts, d.categoryCounts);
  copy(at.categorySteps, d.categorySteps);
  copy(at.categoryCents, d.categoryCents);
  copy(at.sessionEnds, sessions.ends);
  copy(at.sessionHashes, sessions.hashes);
  copy(at.spanSession, d.spanSession);
  copy(at.spanStart, d.spanStart);
  copy(at.spanEnd, d.spanEnd);
  copy(at.spanPurchase, d.spanPurchase);
  return { categoryIds: categories, sessionBytes: sessions.bytes, funnel };
}
