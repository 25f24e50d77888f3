import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpenWindow } from './open-window.js';

describe('open window', () => {
  it('counts like a Map of item → count, sparse or dense, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), { maxLength: 3000 }),
        (capacity, adds) => {
          const w = new OpenWindow();
          const model = new Map<number, number>();
          for (const [raw, c] of adds) {
            const i = raw % capacity;
            w.add(i, c, capacity);
            model.set(i, (model.get(i) ?? 0) + c);
          }
          expect(new Set(w.touched)).toEqual(new Set(model.keys()));
          expect(w.touched.length).toBe(model.size);
          for (const [i, c] of model) expect(w.get(i)).toBe(c);
          expect(w.get(capacity + 1)).toBe(0);
        },
      ),
    );
  });

  it('holds memory in proportion to its items while few, and resets small', () => {
    const w = new OpenWindow();
    for (let i = 0; i < 1000; i++) w.add(i * 997, 1, 1_000_000);
    expect(w.bytes).toBeLessThan(32 * 1024); // dense would be 4 MB
    for (let i = 0; i < 200_000; i++) w.add(i, 1, 1_000_000);
    expect(w.bytes).toBe(4_000_000); // past a sixth of the items: dense
    w.reset();
    expect(w.touched).toEqual([]);
    expect(w.bytes).toBe(128);
    expect(w.get(5)).toBe(0);
  });
});
