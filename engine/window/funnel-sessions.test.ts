/**
 * Funnel, revenue and sessions: batches decoded by the pool's own code (fast and reference
 * paths), merged in any split, sessions closed at any flush points, the state rebuilt from its
 * checkpoint records — all must end equal to the ground truth computed event by event
 * (producer/truth-funnel.ts, written apart from the engine's code). Plus hand-made cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchTask, type TestEvent } from '../../test/batches.js';
import { applyRecord, type CheckpointRecord, knownOf, makeRecord } from '../checkpoint/record.js';
import { TruthBuilder, truthFieldsOf } from '../producer/truth.js';
import { decodeBatch } from '../shared/batch-decode.js';
import { validateEvent } from '../shared/event-reference.js';
import { FUNNEL_STEPS } from '../shared/event-rules.js';
import { AggregateState } from './aggregate-state.js';
import { type SessionChanges, sessionIdsOf } from './session-changes.js';

const W = 1000;
const L = 500;
const GAP = 700;
const T0 = Date.UTC(2026, 0, 1);
const SHAPE = { t0: T0, windowMs: W, allowedLatenessMs: L, sessionGapMs: GAP };
const CUT = { offsets: {}, invalid: 0, dlqEnd: 0, dlqCovered: {} };

/** Figures of a state in the truth file's terms. */
function figures(s: AggregateState) {
  const f = s.funnel;
  const funnelOf = (steps: Float64Array, cents: number, at: number) => ({
    views: steps[at],
    clicks: steps[at + 1],
    add_to_cart: steps[at + 2],
    purchases: steps[at + 3],
    revenue_cents: cents,
  });
  const items = Object.fromEntries(
    s.items.idsFrom(0).map((id, i) => [id, funnelOf(f.items.steps, f.items.cents[i], i * FUNNEL_STEPS)]),
  );
  const categories = Object.fromEntries(
    f.categories.idsFrom(0).map((id, c) => [
      id,
      {
        total_interactions: f.categoryTotal[c],
        ...funnelOf(f.categoryColumns.steps, f.categoryColumns.cents[c], c * FUNNEL_STEPS),
      },
    ]),
  );
  return {
    items,
    categories,
    global: {
      ...funnelOf(Float64Array.from(f.steps), f.cents, 0),
      purchases_without_price: f.purchasesWithoutPrice,
      sessions: s.sessions.closed,
      purchasing_sessions: s.sessions.purchasing,
      sessions_open: s.sessions.open,
      session_late_events: s.sessions.late,
    },
  };
}

function truthFigures(t: TruthBuilder) {
  const r = t.result();
  const pick = (o: Record<string, number | null | object>) => ({
    views: o.views,
    clicks: o.clicks,
    add_to_cart: o.add_to_cart,
    purchases: o.purchases,
    revenue_cents: o.revenue_cents,
  });
  const g = r.global;
  return {
    items: Object.fromEntries(Object.entries(r.items).map(([id, v]) => [id, pick(v as never)])),
    categories: r.categories,
    global: {
      ...pick(g as never),
      purchases_without_price: g.purchases_without_price,
      sessions: g.sessions,
      purchasing_sessions: g.purchasing_sessions,
      sessions_open: g.sessions_open,
      session_late_events: g.session_late_events,
    },
  };
}

const event = fc.record({
  user: fc.nat(5),
  item: fc.nat(6),
  dt: fc.integer({ min: 0, max: 9000 }),
  type: fc.constantFrom('view', 'click', 'add_to_cart', 'purchase', 'purchase', 'wishlist', null, undefined),
  // Prices whose × 100 is not exact in binary (1.005, 0.285), none, and large ones.
  price: fc.constantFrom(19.99, 1.005, 0.285, 0, 1234567.89, null, undefined),
  // A non-ASCII and an escaped category take the reference path; '', null and none count under (none).
  category: fc.constantFrom('books', 'toys', 'bücher', 'a"b', '', null, undefined),
  session: fc.constantFrom('s1', 's2', 's3', 'sé', '', null, undefined),
});

describe('funnel and sessions', () => {
  it('equal the ground truth however batches are split, sessions closed and the state restored', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(event, { maxLength: 50 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (partitions, cuts) => {
          const truth = new TruthBuilder('t', partitions.length, W, L, GAP);
          const range = { minMs: 0, maxMs: 4e12 };
          partitions.forEach((evs, p) => {
            const task = batchTask(p, evs, Number.NEGATIVE_INFINITY, 0, SHAPE);
            evs.forEach((_, k) => {
              const v = validateEvent(
                Buffer.from(
                  task.values,
                  k === 0 ? 0 : task.ends[k - 1],
                  task.ends[k] - (k === 0 ? 0 : task.ends[k - 1]),
                ),
                'json',
                range,
              );
              if (!v.ok) throw new Error(v.reason);
              truth.addValid(p, `u${evs[k].user}`, `i${evs[k].item}`, v.time, truthFieldsOf(v));
            });
          });
          const s = new AggregateState(W, GAP);
          const records = [makeRecord(s, s.takeDirty(), knownOf(s), { ...CUT, partitionMax: {} }, 1, 0)];
          let known = knownOf(s);
          const maxOf = partitions.map(() => Number.NEGATIVE_INFINITY);
          const offsetOf = partitions.map(() => 0);
          const splits = partitions.map((evs) =>
            [...new Set([...cuts.map((c) => c % (evs.length + 1)), evs.length])].sort((a, b) => a - b),
          );
          const done = partitions.map(() => 0);
          for (let round = 0; splits.some((sp) => sp.length > round); round++) {
            partitions.forEach((evs, p) => {
              const end = splits[p][round];
              if (end === undefined || end <= done[p]) return;
              const d = decodeBatch(batchTask(p, evs.slice(done[p], end), maxOf[p], offsetOf[p], SHAPE));
              done[p] = end;
              maxOf[p] = d.partitionMax;
              offsetOf[p] = d.nextOffset;
              s.apply(d);
            });
            // A flush: sessions close at each partition's watermark, and a checkpoint record is made.
            const partitionMax = Object.fromEntries(maxOf.map((m, p) => [p, m]));
            s.sessions.close(partitionMax, L);
            records.push(
              makeRecord(s, s.takeDirty(), known, { ...CUT, partitionMax }, records.length + 1, 0),
            );
            known = knownOf(s);
          }
          const want = truthFigures(truth);
          expect(figures(s)).toEqual(want);
          // Restored from its records, the state is the same (its open sessions too).
          const restored = new AggregateState(W, GAP);
          for (const r of records) applyRecord(restored, r);
          expect(figures(restored)).toEqual(want);
          expect(openSessions(restored)).toEqual(openSessions(s));
          // Records written when session ids were strings restore the same.
          const fromStrings = new AggregateState(W, GAP);
          for (const r of records) applyRecord(fromStrings, withStringIds(r));
          expect(openSessions(fromStrings)).toEqual(openSessions(s));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merges sessions a bridging event joins, closes them only by watermark, and counts late ones', () => {
    const s = new AggregateState(W, GAP);
    const apply = (p: number, evs: TestEvent[], max: number) => {
      const d = decodeBatch(batchTask(p, evs, max, 0, SHAPE));
      s.apply(d);
      return d.partitionMax;
    };
    const ev = (dt: number, type = 'view'): TestEvent => ({
      user: 1,
      item: 1,
      dt,
      type,
      session: 's',
      price: 2.5,
    });
    // Two spans 1,000 ms apart (more than the gap), then an event between them: one session.
    let max = apply(0, [ev(0), ev(1000)], Number.NEGATIVE_INFINITY);
    expect(s.sessions.open).toBe(2);
    max = apply(0, [ev(500, 'purchase')], max);
    expect(s.sessions.open).toBe(1);
    // Watermark T0+1000−500 = T0+500: not yet at the session's end + gap (T0+1700).
    expect(s.sessions.close({ 0: max }, L)).toBe(0);
    // Another partition far ahead does not close partition 0's session; its own events do.
    s.sessions.close({ 0: max, 1: T0 + 100_000 }, L);
    expect(s.sessions.open).toBe(1);
    max = apply(0, [ev(2200)], max); // watermark T0+1700: closes [0, 1000], opens [2200]
    expect(s.sessions.close({ 0: max }, L)).toBe(1);
    expect([s.sessions.closed, s.sessions.purchasing, s.sessions.open]).toEqual([1, 1, 1]);
    // An event behind the watermark is late for sessions, and still counts everywhere else.
    apply(0, [ev(900)], max);
    expect(s.sessions.late).toBe(1);
    expect(s.funnel.steps[0]).toBe(4);
    expect(s.funnel.cents).toBe(250);
  });
});

/** A record as written before session ids travelled as bytes: `ids` as strings. */
function withStringIds(r: CheckpointRecord): CheckpointRecord {
  const { idBytes, idEnds, ...spans } = r.sessions;
  const ends = new Uint32Array(Uint8Array.from(idEnds ?? []).buffer);
  const ids = sessionIdsOf({ idBytes: idBytes ?? new Uint8Array(0), idEnds: ends } as SessionChanges);
  return { ...r, sessions: { ...spans, ids } };
}

/** Every open session of a state as text, sorted: partition, id, spans. */
function openSessions(s: AggregateState): string[] {
  const c = s.sessions.all();
  let at = 0;
  return sessionIdsOf(c)
    .map((id, k) => {
      const spans: string[] = [];
      for (const end = at + c.counts[k]; at < end; at++)
        spans.push(`${c.starts[at]}-${c.ends[at]}:${c.purchases[at]}`);
      return `${c.partitions[k]} ${id} ${spans.join(',')}`;
    })
    .sort();
}
