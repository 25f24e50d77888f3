/** A bulk upsert → search round trip through @elastic/elasticsearch against the real local node. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureIndices } from '../../engine/setup/index-templates.js';
import { ITEM_INDEX } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { requireServices, services, uniqueName } from './helpers.js';

const es = createEsClient(services);

describe('Elasticsearch round trip (real node)', () => {
  beforeAll(requireServices);
  afterAll(() => es.close());

  it('creates the aggregate indices with their mappings, idempotently', async () => {
    await ensureIndices(es);
    await ensureIndices(es);
    const mapping = await es.indices.getMapping({ index: ITEM_INDEX });
    const props = mapping[ITEM_INDEX].mappings.properties!;
    expect(props.item_id.type).toBe('keyword');
    expect(props.max_per_sec.type).toBe('long');
    expect(props['@timestamp'].type).toBe('date');
  });

  it('bulk-indexes with external versions: newer wins, older is a 409 that changes nothing', async () => {
    const index = uniqueName('ria-test');
    const docs = Array.from({ length: 50 }, (_, i) => ({ id: `item-${i}`, total: i * 10 }));
    const body = docs.flatMap((d) => [
      { index: { _index: index, _id: d.id, version: 2, version_type: 'external_gte' as const } },
      { item_id: d.id, total_interactions: d.total },
    ]);
    const first = await es.bulk({ operations: body, refresh: 'wait_for' });
    expect(first.errors).toBe(false);
    expect(first.items.every((it) => it.index?.status === 201)).toBe(true);

    // A replay of an older version must not move a document backwards.
    const stale = await es.bulk({
      operations: [
        { index: { _index: index, _id: 'item-7', version: 1, version_type: 'external_gte' } },
        { item_id: 'item-7', total_interactions: 1 },
        { index: { _index: index, _id: 'item-8', version: 3, version_type: 'external_gte' } },
        { item_id: 'item-8', total_interactions: 999 },
      ],
      refresh: 'wait_for',
    });
    expect(stale.errors).toBe(true);
    expect(stale.items[0].index?.status).toBe(409);
    expect(stale.items[1].index?.status).toBe(200);

    const res = await es.search<{ item_id: string; total_interactions: number }>({
      index,
      size: 100,
      query: { match_all: {} },
    });
    const byId = new Map(res.hits.hits.map((h) => [h._id, h._source!.total_interactions]));
    expect(byId.size).toBe(50);
    expect(byId.get('item-7')).toBe(70);
    expect(byId.get('item-8')).toBe(999);
    expect(byId.get('item-49')).toBe(490);
    await es.indices.delete({ index });
  });
});
