/**
 * Windows, watermarks, late events and merging: batches decoded by the pool's own code, merged
 * into the state in any split, with windows closed at any points, must end equal to the ground
 * truth computed event by event (property test), plus hand-made cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchTask, type TestEvent } from '../../test/batches.js';
import { TruthBuilder } from '../producer/truth.js';
import { decodeBatch } from '../shared/batch-decode.js';
import type { BatchTask } from '../shared/messages.js';
import { AggregateState } from './aggregate-state.js';

const W = 1000;
const L = 500;
const T0 = Date.UTC(2026, 0, 1);

type Ev = TestEvent;

function task(partition: number, events: Ev[], partitionMax: number, firstOffset: number): BatchTask {
  return batchTask(partition, events, partitionMax, firstOffset, {
    t0: T0,
    windowMs: W,
    allowedLatenessMs: L,
  });
}

/** Final item/user figures of a state, in the truth file's shape. */
function figures(s: AggregateState) {
  const items: Record<string, { total: number; max: number | null; min: number | null }> = {};
  s.items.idsFrom(0).forEach((id, i) => {
    items[id] = {
      total: s.itemTotal[i],
      max: s.itemClosed[i] ? s.itemMax[i] : null,
      min: s.itemClosed[i] ? s.itemMin[i] : null,
    };
  });
  const users: Record<string, number> = {};
  s.users.idsFrom(0).forEach((id, u) => {
    users[id] = s.userTotal[u];
  });
  return { items, users, valid: s.valid, late: s.late };
}

describe('aggregate state', () => {
  it('counts windows, closes them at the watermark, and folds max / min', () => {
    const s = new AggregateState(W);
    // Partition 0: item a three times in [0, 1000), twice in [1000, 2000).
    s.apply(
      decodeBatch(
        task(
          0,
          [0, 10, 20, 1000, 1500].map((dt) => ({ user: 1, item: 1, dt })),
          Number.NEGATIVE_INFINITY,
          0,
        ),
      ),
    );
    expect(s.open.size).toBe(2);
    expect(s.closeWindows(T0 + 999)).toBe(0); // the first window ends at T0 + 1000
    expect(s.closeWindows(T0 + 1000)).toBe(1);
    const a = s.items.get('i1')!;
    expect([s.itemMax[a], s.itemMin[a], s.itemClosed[a]]).toEqual([3, 3, 1]);
    expect(s.closeWindows(Number.POSITIVE_INFINITY)).toBe(1);
    expect([s.itemMax[a], s.itemMin[a], s.itemClosed[a], s.itemTotal[a]]).toEqual([3, 2, 2, 5]);
    expect(s.takeDirty().items).toEqual([a]);
  });

  it('judges lateness by the partition watermark, and a closed window turns arrivals late', () => {
    const s = new AggregateState(W);
    const d1 = decodeBatch(
      task(
        0,
        [
          { user: 1, item: 1, dt: 3000 },
          { user: 1, item: 1, dt: 100 },
        ],
        Number.NEGATIVE_INFINITY,
        0,
      ),
    );
    expect(d1.late).toBe(1); // watermark 2500 ≥ end of [0, 1000)
    s.apply(d1);
    // Another partition has seen nothing: the same old time is on time there…
    const d2 = decodeBatch(task(1, [{ user: 2, item: 1, dt: 100 }], Number.NEGATIVE_INFINITY, 0));
    expect(d2.late).toBe(0);
    s.apply(d2);
    // …unless every partition went idle and closed its window first.
    s.closeWindows(Number.POSITIVE_INFINITY);
    const d3 = decodeBatch(task(2, [{ user: 3, item: 1, dt: 150 }], Number.NEGATIVE_INFINITY, 0));
    expect(s.apply(d3)).toBe(1);
    expect(s.late).toBe(2);
    expect(s.valid).toBe(4);
  });

  it('equals the ground truth however events are split into batches and windows closed', () => {
    const event = fc.record({ user: fc.nat(20), item: fc.nat(8), dt: fc.integer({ min: 0, max: 8000 }) });
    fc.assert(
      fc.property(
        fc.array(fc.array(event, { maxLength: 60 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 12_000 }), { maxLength: 5 }),
        (partitions, cuts, closes) => {
          const truth = new TruthBuilder('t', partitions.length, W, L);
          partitions.forEach((evs, p) => {
            for (const e of evs) truth.addValid(p, `u${e.user}`, `i${e.item}`, T0 + e.dt);
          });
          const s = new AggregateState(W);
          // Split each partition at the cut points; apply batches in partition-interleaved order.
          const batches: { p: number; evs: Ev[] }[][] = partitions.map((evs, p) => {
            const points = [...new Set(cuts.map((c) => (evs.length ? c % (evs.length + 1) : 0)))].sort(
              (a, b) => a - b,
            );
            const out: { p: number; evs: Ev[] }[] = [];
            let prev = 0;
            for (const c of [...points, evs.length]) {
              if (c > prev) out.push({ p, evs: evs.slice(prev, c) });
              prev = Math.max(prev, c);
            }
            return out;
          });
          const maxOf = partitions.map(() => Number.NEGATIVE_INFINITY);
          const offsetOf = partitions.map(() => 0);
          let closeIdx = 0;
          for (let round = 0; batches.some((b) => b.length > round); round++) {
            for (const list of batches) {
              const b = list[round];
              if (!b) continue;
              const d = decodeBatch(task(b.p, b.evs, maxOf[b.p], offsetOf[b.p]));
              maxOf[b.p] = d.partitionMax;
              offsetOf[b.p] = d.nextOffset;
              s.apply(d);
            }
            // Close at the true global watermark (min over partitions), as the engine does.
            const wm = Math.min(...maxOf) - L;
            if (closeIdx < closes.length) s.closeWindows(Math.min(wm, T0 + closes[closeIdx++]));
          }
          s.closeWindows(Number.POSITIVE_INFINITY);
          const want = truth.result();
          const got = figures(s);
          expect(got.valid).toBe(want.events.valid);
          expect(got.late).toBe(want.events.late);
          expect(got.users).toEqual(want.users);
          const wantItems = Object.fromEntries(
            Object.entries(want.items).map(([id, v]) => [
              id,
              { total: v.total_interactions, max: v.max_per_sec, min: v.min_per_sec },
            ]),
          );
          expect(got.items).toEqual(wantItems);
        },
      ),
      { numRuns: 300 },
    );
  });
});
