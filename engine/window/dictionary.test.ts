import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiaError } from '../errors/errors.js';
import { Dictionary } from './dictionary.js';

describe('dictionary', () => {
  it('gives each distinct id one dense index, stable, and gives the id back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), { maxLength: 3000 }),
        (ids) => {
          const d = new Dictionary();
          const want = new Map<string, number>();
          for (const id of ids) {
            if (!want.has(id)) want.set(id, want.size);
            expect(d.intern(id)).toBe(want.get(id));
          }
          expect(d.size).toBe(want.size);
          for (const [id, i] of want) {
            expect(d.get(id)).toBe(i);
            expect(d.idOf(i)).toBe(id);
          }
          expect(d.idsFrom(0)).toEqual([...want.keys()]);
          expect(d.get('\u0000never')).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });

  it('holds a million ids', () => {
    const d = new Dictionary();
    for (let i = 0; i < 1_000_000; i++) d.intern(`user-${i}`);
    expect(d.size).toBe(1_000_000);
    expect(d.get('user-999999')).toBe(999_999);
    expect(d.idOf(123_456)).toBe('user-123456');
  });
});

describe('Dictionary at its limit', () => {
  it('stops with an error naming the ids and the limit, never a RangeError from a typed array', () => {
    const d = new Dictionary('user ids', 70_000);
    let thrown: unknown;
    try {
      for (let i = 0; i < 20_000; i++) d.intern(`user-${String(i).padStart(6, '0')}`);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RiaError);
    expect((thrown as RiaError).code).toBe('RIA_ERR_CAPACITY');
    expect((thrown as Error).message).toMatch(
      /distinct user ids fill \d+ bytes, the most one process holds \(one array of at most 70000 bytes\)/,
    );
    // What it held stays usable.
    expect(d.intern('user-000001')).toBe(1);
  });
});
