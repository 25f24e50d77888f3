import { describe, expect, it } from 'vitest';
import { RiaError } from '../errors/errors.js';
import { outOfRangeDecision } from './out-of-range.js';

const where = { topic: 't', partition: 2, offset: 1000, low: 0, high: 120 };

describe('outOfRangeDecision', () => {
  it('fail: one error naming the partition, the offset and the log range', () => {
    expect(() => outOfRangeDecision('fail', where)).toThrow(RiaError);
    expect(() => outOfRangeDecision('fail', where)).toThrow(
      /^partition 2 of t: offset 1000 \(the checkpoint's next\) is not in its log, which holds 0\.\.120: /,
    );
  });

  it('earliest / latest: where to read on, with a warning saying so', () => {
    expect(outOfRangeDecision('earliest', where)).toEqual({
      seekTo: 0,
      warning: expect.stringMatching(
        /^WARNING: partition 2 of t: .*reading on from offset 0, its start \(OFFSET_OUT_OF_RANGE=earliest\)$/,
      ),
    });
    expect(outOfRangeDecision('latest', { ...where, offset: 5, low: 50 }).seekTo).toBe(120);
  });
});
