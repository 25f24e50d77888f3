/**
 * One batch of one partition → its delta: decode and validate every message, judge lateness
 * against the partition's running maximum (in offset order, as the ground truth does), and
 * count per item, per (item, window) and per user — deduplicated, so what crosses back to the
 * main thread is proportional to the distinct ids of the batch, not to its events.
 */

import { RiaError } from '../errors/errors.js';
import { scanAvro } from './avro-decode.js';
import { AvroReaders, schemaIdOf, validateAvro } from './avro-reference.js';
import { BatchFunnel } from './batch-funnel.js';
import { validateEvent } from './event-reference.js';
import { isLate, MAX_EVENT_BYTES, windowOf } from './event-rules.js';
import { ACCEPT, scan, scanEvent } from './fast-decode.js';
import { IdTable } from './id-table.js';
import type { BatchDelta, BatchTask } from './messages.js';
import { SlowIds } from './slow-ids.js';

/** Batches are at most this many messages (window keys pack the batch-local item index). */
export const MAX_BATCH_MESSAGES = 65_536;
/** Batch-local item indices: fast-path ids 0..n-1, reference-path ids n..2n-1. */
const ITEM_SPACE = 2 * MAX_BATCH_MESSAGES;
/** A (window, item) key is window × this + item: the config keeps it below 2^53 (engine-config.ts). */
export const WINDOW_KEY_SPACE = ITEM_SPACE;

/**
 * (window, item) counts. Windows within ±4096 of the batch's first one pack with the item into
 * one integer below 2^30 (a V8 Smi: no allocation, fast hashing); others use a float key.
 */
class WindowCounts {
  private base = Number.NaN;
  private readonly near = new Map<number, number>();
  private readonly far = new Map<number, number>();

  add(w: number, item: number): void {
    if (Number.isNaN(this.base)) this.base = w - 4096;
    const rel = w - this.base;
    if (rel >= 0 && rel < 8191) {
      const key = rel * ITEM_SPACE + item;
      this.near.set(key, (this.near.get(key) ?? 0) + 1);
    } else {
      const key = w * ITEM_SPACE + item;
      this.far.set(key, (this.far.get(key) ?? 0) + 1);
    }
  }

  /** Flattens to arrays, mapping the batch-local item index through `itemOf`. */
  output(itemOf: (local: number) => number) {
    const n = this.near.size + this.far.size;
    const windowItem = new Uint32Array(n);
    const windowIndex = new Float64Array(n);
    const windowCount = new Uint32Array(n);
    let j = 0;
    for (const [key, count] of this.near) {
      const rel = Math.floor(key / ITEM_SPACE);
      windowIndex[j] = this.base + rel;
      windowItem[j] = itemOf(key - rel * ITEM_SPACE);
      windowCount[j++] = count;
    }
    for (const [key, count] of this.far) {
      const w = Math.floor(key / ITEM_SPACE);
      windowIndex[j] = w;
      windowItem[j] = itemOf(key - w * ITEM_SPACE);
      windowCount[j++] = count;
    }
    return { windowItem, windowIndex, windowCount };
  }
}

/** This worker's item and user tables, reused batch after batch (IdTable.reset). */
const itemTable = new IdTable(new Uint8Array(0), 1024);
const userTable = new IdTable(new Uint8Array(0), 1024);

/** This worker's compiled writer schemas (one per thread: workers share nothing). */
const readers = new AvroReaders();

export function decodeBatch(task: BatchTask): BatchDelta {
  const t0 = process.hrtime.bigint();
  const n = task.ends.length;
  if (n > MAX_BATCH_MESSAGES)
    throw new RiaError(`batch of ${n} messages exceeds ${MAX_BATCH_MESSAGES}`, { code: 'RIA_ERR_BATCH' });
  const bytes = new Uint8Array(task.values);
  const values = Buffer.from(task.values);
  const fastItems = itemTable;
  const fastUsers = userTable;
  fastItems.reset(bytes);
  fastUsers.reset(bytes);
  const slowItems = new SlowIds();
  const slowUsers = new SlowIds();
  const windows = new WindowCounts();
  const funnel = new BatchFunnel(bytes, n, task.sessionGapMs, task.allowedLatenessMs);
  const invalidIndex: number[] = [];
  const invalidReasons: string[] = [];
  const invalidValues: Uint8Array[] = [];
  const sampled: number[] = [];
  const { minMs, maxMs } = task.range;
  const fast = task.format === 'json';
  let max = task.partitionMax;
  let valid = 0;
  let late = 0;
  let start = 0;
  // Ahead of its record's Kafka timestamp (part of the data, so a replay decides the same way).
  const future = `future: event time more than ${task.maxAheadMs} ms ahead of its Kafka record timestamp`;
  const rejectFuture = (k: number, end: number) => {
    invalidIndex.push(k);
    invalidReasons.push(future);
    invalidValues.push(bytes.subarray(start, end));
  };
  readers.learn(task.avro);
  const registry = task.avro !== undefined;
  for (let k = 0; k < n; k++) {
    const end = task.ends[k];
    let time: number;
    // Item keys: fast ids are 0..; slow ids are offset by n so both fit one index space.
    let item: number;
    // Avro (Confluent wire format) whatever the configured format: a topic can move to Avro live.
    const writer =
      registry && end > start && bytes[start] === 0 ? readers.get(schemaIdOf(bytes, start, end)) : undefined;
    if (
      end >= 0 &&
      end - start <= MAX_EVENT_BYTES &&
      (writer?.ok
        ? scanAvro(bytes, start, end, writer.plan, minMs, maxMs) === ACCEPT
        : fast && bytes[start] !== 0 && scanEvent(bytes, start, end, minMs, maxMs) === ACCEPT)
    ) {
      time = scan.time;
      if (time > task.timestamps[k] + task.maxAheadMs && task.timestamps[k] >= 0) {
        rejectFuture(k, end);
        start = end;
        continue;
      }
      item = fastItems.add(scan.itemStart, scan.itemEnd, scan.itemHash);
      funnel.addScanned(item, fastUsers.add(scan.userStart, scan.userEnd, scan.userHash), max);
    } else {
      const value = end < 0 ? null : values.subarray(start, end);
      const v =
        value !== null && value.length > 0 && value[0] === 0
          ? validateAvro(value, writer, registry, task.range)
          : validateEvent(value, task.format, task.range);
      if (!v.ok) {
        invalidIndex.push(k);
        invalidReasons.push(v.reason);
        if (end >= 0) invalidValues.push(bytes.subarray(start, end));
        if (end >= 0) start = end;
        continue;
      }
      time = v.time;
      if (time > task.timestamps[k] + task.maxAheadMs && task.timestamps[k] >= 0) {
        rejectFuture(k, end);
        start = end;
        continue;
      }
      item = n + slowItems.add(v.itemId);
      slowUsers.add(v.userId);
      funnel.add(
        item,
        funnel.slowCategory(v.category),
        v.step,
        v.cents,
        funnel.slowSession(v.sessionId),
        time,
        max,
      );
    }
    if (end >= 0) start = end;
    valid++;
    if (isLate(time, max, task.windowMs, task.allowedLatenessMs)) late++;
    else windows.add(windowOf(time, task.windowMs), item);
    if (time > max) max = time;
    // Sampled by offset: the same events whatever the batch sizes.
    if ((task.firstOffset + task.offsetDelta[k]) % task.sampleEvery === 0) sampled.push(time);
  }
  // Output item index space: fast ids first, then slow ids.
  const itemIds = [...fastItems.ids(), ...slowItems.ids];
  const itemCounts = Uint32Array.from([...fastItems.counts, ...slowItems.counts]);
  const fastCount = fastItems.size;
  const itemOf = (local: number) => (local < n ? local : fastCount + (local - n));
  const { windowItem, windowIndex, windowCount } = windows.output(itemOf);
  return {
    partition: task.partition,
    nextOffset: task.firstOffset + (n > 0 ? task.offsetDelta[n - 1] + 1 : 0),
    partitionMax: max,
    valid,
    late,
    itemIds,
    itemCounts,
    windowItem,
    windowIndex,
    windowCount,
    userIds: [...fastUsers.ids(), ...slowUsers.ids],
    userCounts: Uint32Array.from([...fastUsers.counts, ...slowUsers.counts]),
    invalidIndex: Int32Array.from(invalidIndex),
    invalidReasons,
    ...packInvalid(invalidIndex, invalidValues, task),
    sampledTimes: Float64Array.from(sampled),
    ...funnel.output(fastCount, slowItems.ids.length),
    workerNs: Number(process.hrtime.bigint() - t0),
  };
}

/** The invalid messages' values back to back (rare: copied out of the batch). */
function packInvalid(index: number[], values: Uint8Array[], task: BatchTask) {
  let total = 0;
  for (const v of values) total += v.length;
  const invalidValues = new Uint8Array(total);
  const invalidEnds = new Int32Array(index.length);
  const invalidOffsets = Float64Array.from(index, (i) => task.firstOffset + task.offsetDelta[i]);
  let pos = 0;
  let j = 0;
  for (let k = 0; k < index.length; k++) {
    if (task.ends[index[k]] < 0) {
      invalidEnds[k] = -1;
      continue;
    }
    invalidValues.set(values[j], pos);
    pos += values[j++].length;
    invalidEnds[k] = pos;
  }
  return { invalidValues, invalidEnds, invalidOffsets };
}
