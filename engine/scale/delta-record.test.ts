import { pack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { noFunnel } from '../shared/batch-funnel.js';
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

  it('read session ids written as strings (before they travelled as bytes)', () => {
    const { sessionBytes: _b, sessionEnds: _e, sessionHashes: _h, ...rest } = delta;
    const old = { ...rest, sessionIds: ['s-1', 's-ü'], spanSession: Uint32Array.from([1, 0]) };
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
    expect(Buffer.from(d.sessionBytes).toString('utf8')).toBe('s-1s-ü');
    expect([...d.sessionEnds]).toEqual([3, 7]);
    expect(d.sessionHashes[1]).toBe(idHash(Buffer.from('s-ü'), 0, 4));
  });

  it('refuse a message that is not a deltas record', () => {
    expect(() => decodeDeltaRecord(pack({ hello: 'world' }))).toThrow(/not a ria-delta\/1 record/);
  });
});
