import { describe, expect, it } from 'vitest';
import { makeRecord } from '../checkpoint/record.js';
import { AVG_INDEX, CATEGORY_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../shared/indices.js';
import { docOf } from '../sink/bulk-writer.js';
import { AggregateState } from '../window/aggregate-state.js';
import { documentsOf, usdText } from './documents.js';

describe('documents from templates', () => {
  it('are the JSON of the documents as objects, whatever the ids', () => {
    const ids = ['SKU-0001', 'a"quote', 'back\\slash', 'new\nline', 'ünï€😀', '</script>'];
    const s = new AggregateState(1000);
    for (const [k, id] of ids.entries()) {
      const i = s.internItem(id);
      s.itemTotal[i] = 10 + k;
      // The first item has closed windows (min/max known), the others not yet.
      if (k === 0) {
        s.itemClosed[i] = 3;
        s.itemMax[i] = 7;
        s.itemMin[i] = 2;
      }
      s.userTotal[s.internUser(`u-${id}`)] = 100 + k;
      // Funnel: k views (none for the first: conversion_rate null), 1 purchase of $19.99.
      s.funnel.items.steps.set([k, 2, 1, 1], i * 4);
      s.funnel.items.cents[i] = 1999;
    }
    const c = s.funnel.internCategory('books "rare"');
    s.funnel.categoryTotal[c] = 7;
    s.funnel.categoryColumns.steps.set([4, 2, 0, 1], c * 4);
    s.funnel.categoryColumns.cents[c] = 5;
    const changed = { items: ids.map((_, k) => k), users: ids.map((_, k) => k), categories: [0] };
    const cut = { offsets: { 0: 5 }, partitionMax: {}, invalid: 2, dlqEnd: 0, dlqCovered: {} };
    const at = Date.UTC(2026, 10, 30, 12, 0, 0, 5);
    const r = makeRecord(s, changed, { items: 0, users: 0, categories: 0 }, cut, 42, at);
    const docs = documentsOf(s, r, { windowMs: 1000, allowedLatenessMs: 2000, sessionGapMs: 1_800_000 });
    const iso = '2026-11-30T12:00:00.005Z';
    const expected = [
      ...ids.map((id, k) => ({
        index: ITEM_INDEX,
        id,
        body: {
          item_id: id,
          total_interactions: 10 + k,
          max_per_sec: k === 0 ? 7 : null,
          min_per_sec: k === 0 ? 2 : null,
          windows: k === 0 ? 3 : 0,
          views: k,
          clicks: 2,
          add_to_cart: 1,
          purchases: 1,
          revenue_cents: 1999,
          revenue_usd: 19.99,
          conversion_rate: k === 0 ? null : 1 / k,
          '@timestamp': iso,
        },
      })),
      ...ids.map((id, k) => ({
        index: USER_INDEX,
        id: `u-${id}`,
        body: { user_id: `u-${id}`, total_interactions: 100 + k, '@timestamp': iso },
      })),
      {
        index: CATEGORY_INDEX,
        id: 'books "rare"',
        body: {
          category: 'books "rare"',
          total_interactions: 7,
          views: 4,
          clicks: 2,
          add_to_cart: 0,
          purchases: 1,
          revenue_cents: 5,
          revenue_usd: 0.05,
          conversion_rate: 0.25,
          '@timestamp': iso,
        },
      },
    ];
    expect(docs).toHaveLength(expected.length + 1);
    for (const [k, e] of expected.entries()) {
      // docOf writes the lines from the object's JSON (bulk-writer.test: what the client sends).
      expect(docs[k]).toEqual(docOf(e.index, e.id, 42, e.body));
    }
    const global = docs.at(-1)!;
    expect([global.index, global.id]).toEqual([AVG_INDEX, GLOBAL_DOC_ID]);
    const [action, source, end] = global.lines.split('\n');
    expect(JSON.parse(action)).toEqual({
      index: { _index: AVG_INDEX, _id: GLOBAL_DOC_ID, version: 42, version_type: 'external_gte' },
    });
    expect(end).toBe('');
    expect(JSON.parse(source)).toMatchObject({
      '@timestamp': iso,
      invalid_events: 2,
      window_ms: 1000,
    });
  });

  it('write revenue_usd as the text of cents / 100, from integers', () => {
    const cents = [
      0,
      1,
      5,
      9,
      10,
      11,
      50,
      99,
      100,
      101,
      110,
      1999,
      2000,
      123456789,
      2 ** 40 + 7,
      1e14 - 1,
      1e14,
      1e15 + 3,
    ];
    for (let k = 0; k < 100_000; k++) cents.push(Math.floor(Math.random() * 10 ** (1 + (k % 14))));
    for (const c of cents) expect(usdText(c), String(c)).toBe(String(c / 100));
  });
});
