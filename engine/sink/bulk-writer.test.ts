import { Serializer } from '@elastic/transport';
import { describe, expect, it } from 'vitest';
import { BulkAnswerSerializer, bulkBody, docOf } from './bulk-writer.js';

describe('bulk body', () => {
  it('is exactly what the client would send for the same operations, whatever the ids', () => {
    const ids = [
      'SKU-0001',
      'a"quote',
      'back\\slash',
      'new\nline',
      '<img src=x onerror=alert(1)>',
      'ünï€😀',
      '',
    ];
    const bodies = ids.map((id, k) => ({
      index: k % 2 ? 'interaction-agg_user' : 'interaction-agg_item',
      id,
      version: 1000 + k,
      body: {
        item_id: id,
        total_interactions: k,
        min_per_sec: null,
        '@timestamp': '2026-11-29T00:00:00.000Z',
      },
    }));
    const docs = bodies.map((d) => docOf(d.index, d.id, d.version, d.body));
    const ops = bodies.flatMap((d) => [
      { index: { _index: d.index, _id: d.id, version: d.version, version_type: 'external_gte' } },
      d.body,
    ]);
    expect(bulkBody(docs)).toBe(new Serializer().ndserialize(ops));
    expect(bulkBody([])).toBe('');
  });
});

describe("the writer client's serializer", () => {
  const serializer = new BulkAnswerSerializer();
  it('skips the items of an answer in which every item succeeded', () => {
    const answer = `{"errors":false,"items":[${'{"index":{"status":201}},'.repeat(3)}{"index":{"status":200}}]}`;
    expect(serializer.deserialize(answer)).toEqual({ errors: false, items: [] });
  });
  it('parses every other answer whole', () => {
    const failed =
      '{"errors":true,"items":[{"index":{"status":201}},{"index":{"status":429,"error":{"type":"x"}}}]}';
    expect(serializer.deserialize(failed)).toEqual(JSON.parse(failed));
    const spaced = '{ "errors" : false, "items" : [ { "index" : { "status" : 201 } } ] }';
    expect(serializer.deserialize(spaced)).toEqual(JSON.parse(spaced));
    const other = '{"took":3,"errors":false,"items":[{"index":{"status":201}}]}';
    expect(serializer.deserialize(other)).toEqual(JSON.parse(other));
    expect(serializer.deserialize('{"count":7}')).toEqual({ count: 7 });
  });
});
