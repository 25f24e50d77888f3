/**
 * The flusher's side: merging a batch delta into the state, closing windows, building a
 * checkpoint record; and the memory per key, measured on 10 M distinct users.
 */
import { Bench } from 'tinybench';
import { makeRecord } from '../../engine/checkpoint/record.js';
import { noFunnel } from '../../engine/shared/batch-funnel.js';
import type { BatchDelta } from '../../engine/shared/messages.js';
import { AggregateState } from '../../engine/window/aggregate-state.js';

function delta(n: number, offset: number, window: number): BatchDelta {
  const items = Array.from({ length: 2000 }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
  const users = Array.from({ length: n }, (_, i) => `user-${String(offset + i).padStart(7, '0')}`);
  return {
    ...noFunnel(),
    partition: 0,
    nextOffset: 0,
    partitionMax: 0,
    valid: n,
    late: 0,
    itemIds: items,
    itemCounts: new Uint32Array(2000).fill(2),
    windowItem: Uint32Array.from(items, (_, i) => i),
    windowIndex: new Float64Array(2000).fill(window),
    windowCount: new Uint32Array(2000).fill(2),
    userIds: users,
    userCounts: new Uint32Array(n).fill(1),
    invalidIndex: new Int32Array(0),
    invalidReasons: [],
    invalidValues: new Uint8Array(0),
    invalidEnds: new Int32Array(0),
    invalidOffsets: new Float64Array(0),
    sampledTimes: new Float64Array(0),
    workerNs: 0,
  };
}

export async function stateBench(quick: boolean) {
  const s = new AggregateState(1000);
  const deltas = Array.from({ length: 16 }, (_, k) => delta(4000, (k % 4) * 4000, k));
  let k = 0;
  const bench = new Bench({ time: quick ? 300 : 1500 });
  bench
    .add('apply a delta of 2,000 items / 4,000 users (known ids)', () => {
      s.apply(deltas[k++ & 15]);
    })
    .add('close a window of 2,000 items', () => {
      s.apply(deltas[k++ & 15]);
      s.closeWindows(Number.POSITIVE_INFINITY);
    })
    .add('checkpoint record of the changes (2,000 items, 4,000 users)', () => {
      s.apply(deltas[k++ & 15]);
      makeRecord(
        s,
        s.takeDirty(),
        { items: s.items.size, users: s.users.size, categories: s.funnel.categories.size },
        { offsets: {}, partitionMax: {}, invalid: 0, dlqEnd: 0, dlqCovered: {} },
        1,
        1,
      );
    });
  await bench.run();
  const micro = bench.tasks.map((t) => ({
    name: t.name,
    usPerOp: (t.result as { latency: { p50: number } }).latency.p50 * 1000,
  }));

  // Memory per key: intern N users (ids as the producer makes them) and measure the heap.
  const n = quick ? 1_000_000 : 10_000_000;
  globalThis.gc?.();
  const heap0 = process.memoryUsage();
  const big = new AggregateState(1000);
  for (let u = 0; u < n; u++) big.internUser(`user-${String(u).padStart(8, '0')}`);
  globalThis.gc?.();
  const heap1 = process.memoryUsage();
  const bytesPerUser = (heap1.heapUsed + heap1.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers) / n;
  return {
    micro,
    memory: {
      users: n,
      bytesPerUser,
      rssMiB: Math.round(heap1.rss / 2 ** 20),
      gcExposed: typeof globalThis.gc === 'function',
      kept: big.users.size,
    },
  };
}
