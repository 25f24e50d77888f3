/**
 * Elasticsearch answering a bulk request with HTTP 200 but with errors on some items, while the
 * engine and the producer run live; each ends with `verify` against the producer's truth:
 *   - item-level 429 (a fault proxy in front of the real Elasticsearch holds back every 3rd
 *     document and answers 429 es_rejected_execution_exception): each held-back version is sent
 *     again, with backoff, and only those;
 *   - a write block on one index (403 cluster_block_exception on each of its items, the others
 *     succeed): retried until lifted;
 *   - a non-retriable item error (the user index closed: 400 index_closed_exception): reported
 *     with the document id and reason, retried slowly, and the committed offsets do not move
 *     until it is written.
 * These do not stop the shared services, so they run in every `npm test`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGG_INDICES, USER_INDEX } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { startFaultProxy } from './es-fault-proxy.js';
import { committedOffsets, requireServices, services, uniqueName } from './helpers.js';
import { finishAndVerify, liveRunWith, setup, sleep } from './live-run.js';

const es = createEsClient(services);
const sum = (o: number[]) => o.reduce((a, b) => a + b, 0);

describe('item-level errors inside an HTTP 200 bulk response (real services)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(async () => {
    await es.close();
  });

  it('sends again exactly the documents answered with an item-level 429', async () => {
    const proxy = await startFaultProxy(services.elasticsearchHost);
    try {
      const run = await setup('ria-item429', ['--elasticsearch-host', proxy.url]);
      const out = await liveRunWith(run, 10_000, 100_000, async () => {
        proxy.rejectEvery = 3;
      });
      // Held back through the end of the live run: the last version of many documents was
      // rejected once, and only a retry can have written it.
      expect(proxy.rejected.size).toBeGreaterThan(100);
      expect([...proxy.rejected].filter((k) => !proxy.resent.has(k))).toEqual([]);
      expect(out).toMatch(
        /elasticsearch refused \d+ documents of interaction-agg_\w+ \(HTTP 429 es_rejected_execution_exception: injected by the test proxy; e\.g\. id \S+\); retrying/,
      );
      proxy.rejectEvery = 0;
      await finishAndVerify(es, run);
    } finally {
      await proxy.close();
    }
  });

  it('retries a write block on one index (403 inside a 200) until it is lifted', async () => {
    const run = await setup('ria-itemblock');
    const out = await liveRunWith(run, 10_000, 200_000, async () => {
      await es.indices.putSettings({ index: USER_INDEX, settings: { 'index.blocks.write': true } });
      try {
        await sleep(8000);
      } finally {
        await es.indices.putSettings({ index: USER_INDEX, settings: { 'index.blocks.write': false } });
      }
    });
    expect(out).toMatch(
      /elasticsearch refused \d+ documents of interaction-agg_user \(HTTP 403 cluster_block_exception: .*; e\.g\. id \S+\); retrying/,
    );
    await finishAndVerify(es, run);
  });

  it('reports a non-retriable item error with id and reason and holds the committed offsets back', async () => {
    const group = uniqueName('ria-closed');
    const run = await setup('ria-itemclosed', ['--consumer-group', group]);
    let held: number[] = [];
    let later: number[] = [];
    const out = await liveRunWith(run, 10_000, 200_000, async () => {
      await es.indices.close({ index: USER_INDEX });
      try {
        await sleep(3000);
        held = await committedOffsets(group, run.topic, 6);
        await sleep(12_000);
        later = await committedOffsets(group, run.topic, 6);
      } finally {
        await es.indices.open({ index: USER_INDEX, wait_for_active_shards: 1 });
      }
    });
    expect(out).toMatch(
      /elasticsearch refused \d+ documents of interaction-agg_user \(HTTP 400 index_closed_exception: closed; e\.g\. id \S+\); retrying every 10 s, offsets held back/,
    );
    // Not advanced while a document could not be written, though the producer went on writing.
    expect(sum(held)).toBeGreaterThan(0);
    expect(later).toEqual(held);
    await finishAndVerify(es, run);
    const final = await committedOffsets(group, run.topic, 6);
    expect(sum(final)).toBe(200_000);
    expect(sum(held)).toBeLessThan(sum(final));
  });
});
