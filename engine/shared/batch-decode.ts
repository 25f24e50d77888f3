/**
 * One batch of one partition → its delta: decode and validate every message, judge lateness
 * against the partition's running maximum (in offset order, as the ground truth does), and
 * count per item, per (item, window) and per user — deduplicated, so what crosses back to the
 * main thread is proportional to the distinct ids of the batch, not to its events.
 */

import { validateEvent } from './event-reference.js';
import { isLate, windowOf } from './event-rules.js';
import type { BatchDelta, BatchTask } from './messages.js';

/** Batches are at most this many messages (window keys pack the batch-local item index in 16 bits). */
export const MAX_BATCH_MESSAGES = 65_536;

export function decodeBatch(task: BatchTask): BatchDelta {
  const t0 = process.hrtime.bigint();
  const n = task.ends.length;
  if (n > MAX_BATCH_MESSAGES) throw new Error(`batch of ${n} messages exceeds ${MAX_BATCH_MESSAGES}`);
  const values = Buffer.from(task.values);
  const itemIndex = new Map<string, number>();
  const itemIds: string[] = [];
  const itemCounts: number[] = [];
  const userIndex = new Map<string, number>();
  const userIds: string[] = [];
  const userCounts: number[] = [];
  const windows = new Map<number, number>();
  const invalidIndex: number[] = [];
  const invalidReasons: string[] = [];
  const sampled: number[] = [];
  let max = task.partitionMax;
  let valid = 0;
  let late = 0;
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = task.ends[k];
    const value = end < 0 ? null : values.subarray(start, end);
    if (end >= 0) start = end;
    const v = validateEvent(value, task.format, task.range);
    if (!v.ok) {
      invalidIndex.push(k);
      invalidReasons.push(v.reason);
      continue;
    }
    valid++;
    let it = itemIndex.get(v.itemId);
    if (it === undefined) {
      it = itemIds.length;
      itemIndex.set(v.itemId, it);
      itemIds.push(v.itemId);
      itemCounts.push(0);
    }
    itemCounts[it]++;
    let us = userIndex.get(v.userId);
    if (us === undefined) {
      us = userIds.length;
      userIndex.set(v.userId, us);
      userIds.push(v.userId);
      userCounts.push(0);
    }
    userCounts[us]++;
    if (isLate(v.time, max, task.windowMs, task.allowedLatenessMs)) late++;
    else {
      const key = windowOf(v.time, task.windowMs) * MAX_BATCH_MESSAGES + it;
      windows.set(key, (windows.get(key) ?? 0) + 1);
    }
    if (v.time > max) max = v.time;
    if (valid % task.sampleEvery === 0) sampled.push(v.time);
  }
  const windowItem = new Uint32Array(windows.size);
  const windowIndex = new Float64Array(windows.size);
  const windowCount = new Uint32Array(windows.size);
  let j = 0;
  for (const [key, count] of windows) {
    const w = Math.floor(key / MAX_BATCH_MESSAGES);
    windowIndex[j] = w;
    windowItem[j] = key - w * MAX_BATCH_MESSAGES;
    windowCount[j] = count;
    j++;
  }
  return {
    partition: task.partition,
    nextOffset: task.firstOffset + (n > 0 ? task.offsetDelta[n - 1] + 1 : 0),
    partitionMax: max,
    valid,
    late,
    itemIds,
    itemCounts: Uint32Array.from(itemCounts),
    windowItem,
    windowIndex,
    windowCount,
    userIds,
    userCounts: Uint32Array.from(userCounts),
    invalidIndex: Int32Array.from(invalidIndex),
    invalidReasons,
    sampledTimes: Float64Array.from(sampled),
    workerNs: Number(process.hrtime.bigint() - t0),
  };
}
