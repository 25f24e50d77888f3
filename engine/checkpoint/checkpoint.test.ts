/** Checkpoint records and the store: round trips, a torn tail after a crash, settings that changed. */
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noFunnel } from '../shared/batch-funnel.js';
import type { BatchDelta } from '../shared/messages.js';
import { AggregateState } from '../window/aggregate-state.js';
import { applyRecord, type CheckpointRecord, type Cut, makeRecord, makeSnapshot } from './record.js';
import { CheckpointStore } from './store.js';

const header = {
  format: 'ria-checkpoint/1' as const,
  topic: 't',
  windowMs: 1000,
  allowedLatenessMs: 500,
  sessionGapMs: 1_800_000,
};
const cut = (o: number): Cut => ({
  offsets: { 0: o, 1: o * 2 },
  partitionMax: { 0: 5000, 1: 7000 },
  invalid: 3,
  dlqEnd: 2,
  dlqCovered: { 0: 17 },
});

function delta(items: string[], users: string[], windows: [number, number, number][]): BatchDelta {
  return {
    ...noFunnel(),
    partition: 0,
    nextOffset: 0,
    partitionMax: 0,
    valid: items.length,
    late: 0,
    itemIds: items,
    itemCounts: Uint32Array.from(items, () => 1),
    windowItem: Uint32Array.from(windows, (w) => w[0]),
    windowIndex: Float64Array.from(windows, (w) => w[1]),
    windowCount: Uint32Array.from(windows, (w) => w[2]),
    userIds: users,
    userCounts: Uint32Array.from(users, () => 1),
    invalidIndex: new Int32Array(0),
    invalidReasons: [],
    invalidValues: new Uint8Array(0),
    invalidEnds: new Int32Array(0),
    invalidOffsets: new Float64Array(0),
    sampledTimes: new Float64Array(0),
    workerNs: 0,
  };
}

function sameState(a: AggregateState, b: AggregateState) {
  const view = (s: AggregateState) => ({
    items: s.items
      .idsFrom(0)
      .map((id, i) => [id, s.itemTotal[i], s.itemMax[i], s.itemMin[i], s.itemClosed[i]]),
    users: s.users.idsFrom(0).map((id, u) => [id, s.userTotal[u]]),
    open: [...s.open.entries()].map(([w, win]) => [w, win.touched.map((i) => [i, win.get(i)]).sort()]).sort(),
    valid: s.valid,
    late: s.late,
    closedUpTo: s.closedUpTo,
  });
  expect(view(b)).toEqual(view(a));
}

describe('checkpoint', () => {
  it('records replayed in order rebuild the state; a snapshot alone does too', () => {
    const s = new AggregateState(1000);
    const known = { items: 0, users: 0, categories: 0 };
    const records: CheckpointRecord[] = [];
    s.apply(
      delta(
        ['a', 'b'],
        ['u1'],
        [
          [0, 1, 1],
          [1, 1, 1],
        ],
      ),
    );
    records.push(makeRecord(s, s.takeDirty(), { ...known }, cut(10), 1, 1));
    known.items = s.items.size;
    known.users = s.users.size;
    s.closeWindows(2000);
    s.apply(
      delta(
        ['c', 'a'],
        ['u2', 'u1'],
        [
          [0, 3, 1],
          [1, 3, 1],
        ],
      ),
    );
    records.push(makeRecord(s, s.takeDirty(), { ...known }, cut(20), 2, 2));

    const restored = new AggregateState(1000);
    for (const r of records) applyRecord(restored, r);
    sameState(s, restored);
    const fromSnapshot = new AggregateState(1000);
    applyRecord(fromSnapshot, makeSnapshot(s, cut(20), 2, 2));
    sameState(s, fromSnapshot);
    // Out of order: refused.
    expect(() => applyRecord(new AggregateState(1000), records[1])).toThrow(/out of order/);
  });

  it('survives a torn last frame and refuses a checkpoint made with other settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ria-ckpt-'));
    const s = new AggregateState(1000);
    s.apply(delta(['a'], ['u'], [[0, 1, 1]]));
    const store = new CheckpointStore(dir, header);
    expect(store.load()).toEqual([]);
    store.append(makeRecord(s, s.takeDirty(), { items: 0, users: 0, categories: 0 }, cut(1), 1, 1));
    const good = statSync(store.file).size;
    store.append(
      makeRecord(
        s,
        { items: [0], users: [], categories: [] },
        { items: 1, users: 1, categories: 0 },
        cut(2),
        2,
        2,
      ),
    );
    store.close();
    // A crash in the middle of the second append: half of its frame is on disk.
    const bytes = readFileSync(store.file);
    writeFileSync(store.file, bytes.subarray(0, good + 20));
    const again = new CheckpointStore(dir, header);
    const records = again.load();
    expect(records.map((r) => r.seq)).toEqual([1]);
    expect(statSync(again.file).size).toBe(good); // the torn tail is cut off
    again.close();
    // Garbage after a good frame is cut off too.
    appendFileSync(again.file, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(new CheckpointStore(dir, header).load().map((r) => r.seq)).toEqual([1]);
    expect(() => new CheckpointStore(dir, { ...header, windowMs: 500 }).load()).toThrow(
      /WINDOW_MS=1000, not 500/,
    );
  });

  it('compacts into one snapshot, atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ria-ckpt-'));
    const s = new AggregateState(1000);
    const store = new CheckpointStore(dir, header);
    store.load();
    for (let i = 1; i <= 20; i++) {
      s.apply(delta([`i${i}`], [`u${i}`], [[0, i, 1]]));
      store.append(makeRecord(s, s.takeDirty(), { items: i - 1, users: i - 1, categories: 0 }, cut(i), i, i));
    }
    const before = store.size;
    store.rewrite([makeSnapshot(s, cut(20), 20, 20)]);
    expect(store.size).toBeLessThan(before);
    store.close();
    const restored = new AggregateState(1000);
    for (const r of new CheckpointStore(dir, header).load()) applyRecord(restored, r);
    sameState(s, restored);
  });
});
