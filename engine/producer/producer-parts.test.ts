/** The producer's parts without Kafka: determinism, distributions, rate limiting, truth, partitioning. */
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../shared/event-reference.js';
import {
  CONTRACT_FIELDS,
  DEFAULT_MAX_EVENT_TIME_MS,
  DEFAULT_MIN_EVENT_TIME_MS,
} from '../shared/event-rules.js';
import { Catalog } from './catalog.js';
import { EventMaker, type EventMix } from './event-maker.js';
import { murmur2, partitionForKey } from './partitioner.js';
import { Random } from './random.js';
import { DEFAULT_FUNNEL, SessionSimulator } from './sessions.js';
import { TokenBucket } from './token-bucket.js';
import { TruthBuilder } from './truth.js';
import { ZipfSampler } from './zipf.js';

const RANGE = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };
const T0 = Date.UTC(2026, 10, 28, 12);

function makerFor(
  seed: string,
  mix: EventMix = { outOfOrder: 0, late: 0, invalid: 0 },
  format: 'json' | 'msgpack' = 'json',
) {
  const catalog = new Catalog(500, 200, seed);
  const rng = new Random(`${seed}/traffic`);
  const sessions = new SessionSimulator(catalog, new ZipfSampler(200, 1.1), DEFAULT_FUNNEL, rng, 50, 3000);
  const maker = new EventMaker(catalog, sessions, rng, {
    format,
    timestampFormat: 'iso',
    mix,
    allowedLatenessMs: 2000,
    windowMs: 1000,
  });
  return { catalog, maker };
}

function texts(seed: string, n: number): string[] {
  const { maker } = makerFor(seed);
  return Array.from({ length: n }, (_, i) => {
    const ev = maker.make(T0 + i);
    return maker.buffer.toString('utf8', 0, ev.length);
  });
}

describe('producer determinism', () => {
  it('the same seed makes the same events, another seed others', () => {
    const a = texts('alpha', 2000);
    expect(texts('alpha', 2000)).toEqual(a);
    const b = texts('beta', 2000);
    expect(b).not.toEqual(a);
    expect(new Set(a.map((t) => JSON.parse(t).event_id)).size).toBe(2000);
  });

  it('valid events follow the contract; the fast JSON writer matches JSON.stringify of the same fields', () => {
    for (const t of texts('contract', 500)) {
      const e = JSON.parse(t);
      expect(Object.keys(e)).toEqual([...CONTRACT_FIELDS]);
      expect(e.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(['view', 'click', 'add_to_cart', 'purchase']).toContain(e.interaction_type);
      expect(validateEvent(Buffer.from(t), 'json', RANGE).ok).toBe(true);
      expect(JSON.stringify(e)).toBe(t);
    }
  });

  it('invalid messages are all rejected by the reference validator, valid ones accepted (json and msgpack)', () => {
    for (const format of ['json', 'msgpack'] as const) {
      const { maker } = makerFor('bad', { outOfOrder: 0.1, late: 0.1, invalid: 0.3 }, format);
      const kinds = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const ev = maker.make(T0 + i);
        const v = validateEvent(maker.buffer.subarray(0, ev.length), format, RANGE);
        expect(v.ok, `${format} ${ev.invalidKind}`).toBe(ev.valid);
        if (v.ok) expect(v.time).toBe(ev.time);
        if (!ev.valid) kinds.add(ev.invalidKind);
      }
      expect(kinds.size).toBe(12);
    }
  });
});

describe('producer distributions (statistical, on a seeded sample)', () => {
  it('SKU popularity follows Zipf with the configured exponent', () => {
    const zipf = new ZipfSampler(1000, 1.2);
    const rng = new Random('zipf');
    const n = 400_000;
    const counts = new Float64Array(1000);
    for (let i = 0; i < n; i++) counts[zipf.sample(rng)]++;
    // The top ranks within 3 % of their probability, and the log-log slope close to -1.2.
    for (let k = 0; k < 5; k++) expect(Math.abs(counts[k] / n / zipf.probability(k) - 1)).toBeLessThan(0.03);
    const slope = (Math.log(counts[49] / counts[0]) - 0) / Math.log(50);
    expect(slope).toBeCloseTo(-1.2, 1);
  });

  it('the funnel converts at the configured rates', () => {
    const catalog = new Catalog(1000, 100, 'f');
    const funnel = { click: 0.4, addToCart: 0.25, purchase: 0.5, nextItem: 0.7 };
    const sim = new SessionSimulator(
      catalog,
      new ZipfSampler(100, 1),
      funnel,
      new Random('funnel'),
      200,
      1000,
    );
    const c: Record<string, number> = { view: 0, click: 0, add_to_cart: 0, purchase: 0 };
    const sessions = new Set<string>();
    for (let i = 0; i < 300_000; i++) {
      const s = sim.next();
      c[s.type]++;
      sessions.add(s.sessionId);
    }
    expect(c.click / c.view).toBeCloseTo(0.4, 2);
    expect(c.add_to_cart / c.click).toBeCloseTo(0.25, 2);
    expect(c.purchase / c.add_to_cart).toBeCloseTo(0.5, 1);
    // Items per session ≈ 1 / (1 - nextItem).
    expect(c.view / sessions.size).toBeCloseTo(1 / (1 - 0.7), 0);
  });
});

describe('token bucket', () => {
  it('lets out `rate` tokens per second and never more than `burst` at once', () => {
    const b = new TokenBucket(5000, 100, 0);
    expect(b.take(1000, 0)).toBe(0);
    expect(b.take(1000, 10)).toBe(50);
    // A long pause: at most 100 ms of events (500) are made up, in slices of one burst (100).
    let made = 0;
    for (let k = 0; k < 10; k++) {
      const n = b.take(1000, 1000);
      expect(n).toBeLessThanOrEqual(100);
      made += n;
    }
    expect(made).toBe(500);
    let total = 0;
    for (let t = 1000; t <= 11_000; t += 0.7) total += b.take(1000, t);
    expect(Math.abs(total - 50_000)).toBeLessThanOrEqual(100);
    expect(b.msUntilNext()).toBeLessThanOrEqual(0.2);
  });
});

describe('partitioner', () => {
  it('is Kafka murmur2 (vectors from the Java client tests)', () => {
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [s, h] of cases) expect(murmur2(Buffer.from(s)), s).toBe(h);
    expect(partitionForKey('user-0042', 6)).toBe((murmur2(Buffer.from('user-0042')) & 0x7fffffff) % 6);
  });
});

describe('truth', () => {
  it('counts totals for every valid event and windows only for on-time ones', () => {
    const t = new TruthBuilder('t', 2, 1000, 500);
    t.addValid(0, 'u1', 'a', 1100);
    t.addValid(0, 'u1', 'a', 1900);
    t.addValid(0, 'u2', 'a', 3600); // partition 0 watermark now 3100: window [1000, 2000) closed
    t.addValid(0, 'u2', 'a', 1500); // late
    t.addValid(1, 'u3', 'a', 1500); // partition 1 has seen nothing later: on time
    t.addValid(1, 'u3', 'b', 2500);
    t.addInvalid();
    const r = t.result();
    expect(r.events).toEqual({ valid: 6, invalid: 1, late: 1 });
    expect(r.items.a).toMatchObject({
      total_interactions: 5,
      max_per_sec: 3,
      min_per_sec: 1,
      windows: { '1000': 3, '3000': 1 },
    });
    expect(r.items.b.max_per_sec).toBe(1);
    expect(r.users).toEqual({ u1: 2, u2: 2, u3: 2 });
    expect(r.global).toMatchObject({
      total_interactions: 6,
      distinct_users: 3,
      avg_interactions_per_user: 2,
    });
  });

  it('out-of-order events within the allowed lateness are never late', () => {
    const { catalog, maker } = makerFor('ooo', { outOfOrder: 0.5, late: 0, invalid: 0 });
    const t = new TruthBuilder('t', 3, 1000, 2000);
    for (let i = 0; i < 20_000; i++) {
      const ev = maker.make(T0 + i * 2);
      t.addValid(partitionForKey(ev.key, 3), ev.key, catalog.itemIds[ev.item], ev.time);
    }
    expect(t.lateCount).toBe(0);
  });
});
