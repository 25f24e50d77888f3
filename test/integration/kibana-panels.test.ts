/**
 * Every panel of docker/kibana/dashboard.ndjson, translated from its saved object into the
 * Elasticsearch request it sends (docker/kibana/saved-objects.ts: data view → index, search
 * source → query, visState aggs → nested aggregations), run against the real Elasticsearch after
 * the engine filled the indices: each returns non-empty buckets and a value in every metric.
 * Kibana itself cannot run here (docs/kibana.md says what this leaves unchecked).
 */
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelRequest, readSavedObjects } from '../../docker/kibana/saved-objects.js';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { newTopic, requireServices, services } from './helpers.js';
import { riaDrain, riaProduce } from './run-ria.js';

const es = createEsClient(services);
const objects = readSavedObjects(
  readFileSync(new URL('../../docker/kibana/dashboard.ndjson', import.meta.url), 'utf8'),
);

type Bucket = { key: string } & Record<string, { value: number | null } | undefined>;
type Aggs = Record<string, { buckets?: Bucket[]; value?: number | null }>;

describe('the Kibana panels against the real Elasticsearch', () => {
  beforeAll(requireServices);
  afterAll(() => es.close());

  it('each return non-empty buckets and metric values from the indices the engine wrote', async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    const { topic, checkpoint } = await newTopic('ria-kibana');
    // Short sessions and lateness, so that sessions close in a short run and their figures are there too.
    const gap = ['--session-gap-ms', '20', '--allowed-lateness-ms', '100'];
    // 20,000 events/s: 1.5 s of event time, so that sessions (gap 20 ms, lateness 100 ms) close in any run.
    expect((await riaProduce(topic, '--rate', '20000', '--count', '30000', ...gap).done).code).toBe(0);
    const drained = await riaDrain(topic, checkpoint, ...gap).done;
    expect(drained.code, drained.out).toBe(0);
    await es.indices.refresh({ index: [...AGG_INDICES] });
    const panels = objects.filter((o) => o.type === 'visualization');
    expect(panels.length).toBeGreaterThanOrEqual(7);
    for (const panel of panels) {
      const req = panelRequest(panel, objects);
      const res = await es.search({ index: req.index, ...req.body });
      let level = [res.aggregations as unknown as Aggs];
      // Down the bucket aggregations: each level non-empty.
      for (const id of req.buckets) {
        const buckets = level.flatMap((a) => a[id].buckets ?? []);
        expect(buckets.length, `${panel.id}: no buckets in ${id}`).toBeGreaterThan(0);
        level = buckets as unknown as Aggs[];
      }
      for (const a of level)
        for (const id of req.metrics)
          expect(a[id]?.value, `${panel.id}: metric ${id} has no value`).not.toBeNull();
    }
    rmSync(checkpoint, { recursive: true, force: true });
  });
});
