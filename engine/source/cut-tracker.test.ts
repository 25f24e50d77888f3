import { describe, expect, it } from 'vitest';
import { CutTracker } from './cut-tracker.js';

describe('CutTracker', () => {
  it('the watermark is the minimum over non-idle partitions of max − lateness', () => {
    const t = new CutTracker(500);
    t.track(0);
    t.track(1);
    t.counted(0, 10, 10_000);
    t.counted(1, 4, 7_000);
    expect(t.watermark(() => false)).toBe(6_500);
    expect(t.watermark((p) => p === 1)).toBe(9_500);
    expect(t.watermark(() => true)).toBe(Number.POSITIVE_INFINITY);
  });

  it('a partition with nothing counted holds the watermark at −∞ until it is idle', () => {
    const t = new CutTracker(0);
    t.track(0);
    t.track(1);
    t.counted(0, 5, 1_000);
    expect(t.watermark(() => false)).toBe(Number.NEGATIVE_INFINITY);
    expect(t.watermark((p) => p === 1)).toBe(1_000);
  });

  it('restores a checkpoint, and tracking an already known partition keeps its position', () => {
    const t = new CutTracker(0);
    t.restore({ 0: 42, 2: 7 }, { 0: 5_000, 2: 3_000 });
    t.track(0);
    t.track(1);
    expect(t.offsets()).toEqual({ 0: 42, 2: 7, 1: 0 });
    expect(t.maxOf(0)).toBe(5_000);
    expect(t.maxOf(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(t.nextOf(2)).toBe(7);
  });

  it('the cut is the next offset per partition; forgotten partitions leave it', () => {
    const t = new CutTracker(0);
    t.track(0);
    t.track(1);
    t.counted(1, 100, 9);
    t.forget(0);
    expect(t.offsets()).toEqual({ 1: 100 });
    expect(t.maxes()).toEqual({ 1: 9 });
    expect(t.partitions()).toEqual([1]);
    t.clear();
    expect(t.offsets()).toEqual({});
  });
});
