import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { noFunnel } from '../shared/batch-funnel.js';
import { funnelSections } from '../shared/funnel-layout.js';
import { idHash } from '../shared/id-table.js';
import type { BatchDelta } from '../shared/messages.js';
import { decodeDeltaRecord, encodeDeltaRecord } from './delta-record.js';

const delta: BatchDelta = {
  ...noFunnel(),
  partition: 3,
  nextOffset: 1200,
  partitionMax: 1_764_400_000_123,
  valid: 5,
  late: 1,
  itemIds: ['SKU-1', 'SKU-ü'],
  itemCounts: Uint32Array.from([4, 1]),
  windowItem: Uint32Array.from([0, 1]),
  windowIndex: Float64Array.from([1_764_400_000, 1_764_399_999]),
  windowCount: Uint32Array.from([3, 1]),
  userIds: ['u1'],
  userCounts: Uint32Array.from([5]),
  invalidIndex: Int32Array.from([2]),
  invalidReasons: ['not JSON'],
  invalidValues: Uint8Array.from([1, 2, 3]),
  invalidEnds: Int32Array.from([3]),
  invalidOffsets: Float64Array.from([1197]),
  sampledTimes: Float64Array.from([1_764_400_000_001]),
  workerNs: 1234,
};

describe('deltas records', () => {
  it('round-trip counts as typed arrays and leave the dead letters with the counter', () => {
    const r = decodeDeltaRecord(
      encodeDeltaRecord({
        partition: 3,
        from: 1000,
        next: 1200,
        partitionMax: Number.NEGATIVE_INFINITY,
        idle: true,
        invalid: 1,
        deltas: [delta],
      }),
    );
    expect(r).toMatchObject({ partition: 3, from: 1000, next: 1200, idle: true, invalid: 1 });
    expect(r.partitionMax).toBe(Number.NEGATIVE_INFINITY);
    const d = r.deltas[0];
    expect(d.windowIndex).toEqual(delta.windowIndex);
    expect(d.windowIndex).toBeInstanceOf(Float64Array);
    expect(d.itemCounts).toBeInstanceOf(Uint32Array);
    expect(d.itemIds).toEqual(['SKU-1', 'SKU-ü']);
    expect(d.userCounts).toEqual(delta.userCounts);
    expect(d.invalidIndex.length).toBe(0);
    expect(d.invalidValues.length).toBe(0);
  });

  it('read deltas written with separate funnel arrays and session ids as strings (the build before)', () => {
    const { sessionBytes: _b, funnel: _f, ...rest } = delta;
    const old = {
      ...rest,
      itemSteps: Uint32Array.from([1, 2, 0, 1, 3, 0, 0, 0]),
      itemCents: Float64Array.from([1999, 0]),
      categoryIds: ['shoes'],
      categoryCounts: Uint32Array.from([7]),
      categorySteps: Uint32Array.from([4, 2, 0, 1]),
      categoryCents: Float64Array.from([1999]),
      sessionIds: ['s-1', 's-ü'],
      spanSession: Uint32Array.from([1, 0]),
      spanStart: Float64Array.from([10, 20]),
      spanEnd: Float64Array.from([15, 20]),
      spanPurchase: Uint8Array.from([0, 1]),
    };
    const r = decodeDeltaRecord(
      encodeDeltaRecord({
        partition: 3,
        from: 0,
        next: 1,
        partitionMax: 0,
        idle: false,
        invalid: 0,
        deltas: [old as unknown as BatchDelta],
      }),
    );
    const d = r.deltas[0];
    const f = funnelSections(d.funnel, d.itemIds.length, d.categoryIds.length);
    expect([...f.itemSteps]).toEqual([1, 2, 0, 1, 3, 0, 0, 0]);
    expect([...f.categorySteps, ...f.categoryCents, ...f.categoryCounts]).toEqual([4, 2, 0, 1, 1999, 7]);
    expect(Buffer.from(d.sessionBytes).toString('utf8')).toBe('s-1s-ü');
    expect([...f.sessionEnds]).toEqual([3, 7]);
    expect(f.sessionHashes[1]).toBe(idHash(Buffer.from('s-ü'), 0, 4));
    expect([...f.spanSession, ...f.spanStart, ...f.spanEnd, ...f.spanPurchase]).toEqual([
      1, 0, 10, 20, 15, 20, 0, 1,
    ]);
  });

  it('refuse a message that is not a deltas record', () => {
    expect(() => decodeDeltaRecord(pack({ hello: 'world' }))).toThrow(/not a ria-delta\/1 record/);
  });
});
