import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idHash } from '../shared/id-table.js';
import { SessionKeys } from './session-keys.js';

const bytesOf = (id: string) => new Uint8Array(Buffer.from(id, 'utf8'));

describe('SessionKeys', () => {
  it('finds, adds and deletes like a map of (partition, id), through growth, shifts and compaction', () => {
    // Few distinct ids and a colliding hash now and then, so runs form and deletions shift them.
    const op = fc.record({
      del: fc.boolean(),
      partition: fc.integer({ min: 0, max: 2 }),
      id: fc.integer({ min: 0, max: 40 }).map((i) => `session-${i}-${'x'.repeat(i % 40)}`),
      collide: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 2000 }), (ops) => {
        const keys = new SessionKeys(16);
        const ref = new Map<string, number>();
        for (const o of ops) {
          const b = bytesOf(o.id);
          const h = o.collide ? 42 : idHash(b, 0, b.length);
          const name = `${o.partition}/${o.id}/${h}`;
          const k = keys.find(o.partition, b, 0, b.length, h);
          expect(k).toBe(ref.get(name) ?? -1);
          if (o.del && k >= 0) {
            keys.delete(k);
            ref.delete(name);
          } else if (k < 0) ref.set(name, keys.add(o.partition, b, 0, b.length, h));
        }
        expect(keys.size).toBe(ref.size);
        for (const [name, k] of ref) {
          const [p, id, h] = name.split('/');
          const b = bytesOf(id);
          expect(keys.find(Number(p), b, 0, b.length, Number(h))).toBe(k);
          expect(Buffer.from(keys.bytesOf(k)).toString('utf8')).toBe(id);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps memory to the ids open at once: the arena is compacted, entries reused', () => {
    const keys = new SessionKeys();
    const live: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const b = bytesOf(`${i.toString(16).padStart(36, '0')}`);
      live.push(keys.add(i % 6, b, 0, b.length, idHash(b, 0, b.length)));
      if (live.length > 1000) keys.delete(live.shift()!);
    }
    expect(keys.size).toBe(1000);
    // 200,000 ids were made; at most ~2,000 entries and a small arena exist.
    expect(keys.capacity).toBeLessThan(2048);
    const first = live[0];
    expect(Buffer.from(keys.bytesOf(first)).toString()).toBe((200_000 - 1000).toString(16).padStart(36, '0'));
  });
});
