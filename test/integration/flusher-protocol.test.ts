/**
 * The flusher's exactness protocol (engine/flusher/flusher.ts, its header), step by step, with the
 * Flusher driven directly against the real Elasticsearch and a real checkpoint directory:
 *   1. a flush appends its checkpoint record before the bulk request leaves;
 *   2. a crash after the checkpoint (Elasticsearch hanging on the bulk, the flusher abandoned) is
 *      repaired by the next start: it sends that record's documents again, same version, and
 *      resumes at that cut;
 *   3. documents carry the flush sequence as external version: a replay of an older record is
 *      refused by Elasticsearch (409, counted as done) and never moves a document back;
 *   4. a flush with nothing new writes nothing and appends nothing;
 *   5. with no checkpoint, versions continue above what Elasticsearch holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cut } from '../../engine/checkpoint/record.js';
import { type CheckpointHeader, CheckpointStore } from '../../engine/checkpoint/store.js';
import { Flusher, type FlusherSettings } from '../../engine/flusher/flusher.js';
import { decodeBatch } from '../../engine/shared/batch-decode.js';
import {
  AGG_INDICES,
  AVG_INDEX,
  GLOBAL_DOC_ID,
  ITEM_INDEX,
  USER_INDEX,
} from '../../engine/shared/indices.js';
import { writeDocs } from '../../engine/sink/bulk-writer.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { batchTask, type TestEvent } from '../batches.js';
import { startFaultProxy } from './es-fault-proxy.js';
import { requireServices, services } from './helpers.js';

const SHAPE = { t0: Date.UTC(2026, 0, 1), windowMs: 1000, allowedLatenessMs: 0 };
const SETTINGS: FlusherSettings = {
  windowMs: SHAPE.windowMs,
  allowedLatenessMs: SHAPE.allowedLatenessMs,
  sessionGapMs: 1_800_000,
  bulkMaxDocs: 1000,
  compactBytes: 64 * 1024 * 1024,
  healIntervalMs: 0,
  startTimeoutMs: 30_000,
};
const HEADER: CheckpointHeader = {
  format: 'ria-checkpoint/1',
  topic: 'flusher-protocol',
  windowMs: 1000,
  allowedLatenessMs: 0,
  sessionGapMs: 1_800_000,
};

const es = createEsClient(services);
const dirs: string[] = [];
const problems: string[] = [];

function flusherOn(client: Client, dir: string): { flusher: Flusher; store: CheckpointStore } {
  const store = new CheckpointStore(dir, HEADER);
  const flusher = new Flusher(
    client,
    store,
    SETTINGS,
    (m) => problems.push(m),
    () => undefined,
  );
  return { flusher, store };
}

/** The cut of a flush mark: next offset and maximum event time per partition (no dead letters). */
function cut(offsets: Record<number, number>, partitionMax: Record<number, number>): Cut {
  return { offsets, partitionMax, invalid: 0, dlqEnd: 0, dlqCovered: {} };
}

/** `n` events of users 0..n-1 on item 0, at event times 0..n-1 ms, as partition 0's batch from `offset`. */
function delta(offset: number, events: TestEvent[]) {
  return decodeBatch(batchTask(0, events, Number.NEGATIVE_INFINITY, offset, SHAPE));
}

const events = (n: number, item = 0): TestEvent[] =>
  Array.from({ length: n }, (_, k) => ({ user: k, item, dt: k }));

async function doc(index: string, id: string) {
  await es.indices.refresh({ index });
  const r = await es.get<Record<string, number>>({ index, id }, { ignore: [404] });
  return r.found ? { version: r._version, ...r._source } : undefined;
}

describe('the flusher exactness protocol (real Elasticsearch, real checkpoint files)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    problems.length = 0;
  });
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await es.close();
  });
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'ria-protocol-'));
    dirs.push(d);
    return d;
  };

  it('checkpoints before the bulk; after a crash there, the next start re-sends that record at its version and resumes at its cut', async () => {
    const dir = newDir();
    const proxy = await startFaultProxy(services.elasticsearchHost);
    const viaProxy = createEsClient({ ...services, elasticsearchHost: proxy.url });
    try {
      const a = flusherOn(viaProxy, dir);
      await a.flusher.restore();
      a.flusher.onDelta(delta(0, events(10)), 1);
      await a.flusher.flush(cut({ 0: 10 }, { 0: 9 }), 9);
      // Flush 2 hangs in its bulk request: Elasticsearch does not answer.
      proxy.holdBulk = true;
      const sentBefore = proxy.bulkRequests;
      a.flusher.onDelta(delta(10, events(5, 1)), 1);
      void a.flusher.flush(cut({ 0: 15 }, { 0: 4 }), 4).catch(() => undefined);
      while (proxy.bulkRequests === sentBefore) await new Promise((r) => setTimeout(r, 20));
      // The bulk left after record 2 was durable: a second reader of the directory sees it.
      const onDisk = new CheckpointStore(dir, HEADER).load();
      expect(onDisk.map((r) => r.seq)).toEqual([1, 2]);
      expect(onDisk[1].offsets).toEqual({ 0: 15 });
      expect(await doc(ITEM_INDEX, 'i1')).toBeUndefined(); // not written: the crash comes now
      a.store.close();
    } finally {
      await proxy.close();
      await viaProxy.close().catch(() => undefined);
    }
    // The next start, straight to Elasticsearch.
    const b = flusherOn(es, dir);
    const restored = await b.flusher.restore();
    expect(restored.seq).toBe(2);
    expect(restored.offsets).toEqual({ 0: 15 });
    expect(await doc(ITEM_INDEX, 'i1')).toMatchObject({ version: 2, total_interactions: 5 });
    expect(await doc(ITEM_INDEX, 'i0')).toMatchObject({ version: 1, total_interactions: 10 });
    expect(await doc(AVG_INDEX, GLOBAL_DOC_ID)).toMatchObject({ version: 2, total_interactions: 15 });
    b.store.close();
  });

  it('versions are flush sequences: a replay of an older record never moves a document back', async () => {
    const dir = newDir();
    const { flusher, store } = flusherOn(es, dir);
    await flusher.restore();
    flusher.onDelta(delta(0, events(3)), 1);
    await flusher.flush(cut({ 0: 3 }, { 0: 2 }), 2);
    const first = store.load()[0];
    flusher.onDelta(delta(3, events(4)), 1);
    await flusher.flush(cut({ 0: 7 }, { 0: 3 }), 3);
    expect(await doc(USER_INDEX, 'u0')).toMatchObject({ version: 2, total_interactions: 2 });
    // Record 1's documents sent again (a late retry, a replay): refused as older, counted as done.
    await writeDocs(es, flusher.docsOf(first), {
      maxDocs: 1000,
      onProblem: () => undefined,
      onRefused: () => undefined,
    });
    expect(await doc(USER_INDEX, 'u0')).toMatchObject({ version: 2, total_interactions: 2 });
    expect(await doc(AVG_INDEX, GLOBAL_DOC_ID)).toMatchObject({ version: 2, total_interactions: 7 });
    store.close();
  });

  it('a flush with nothing new appends nothing and writes nothing', async () => {
    const dir = newDir();
    const { flusher, store } = flusherOn(es, dir);
    await flusher.restore();
    flusher.onDelta(delta(0, events(2)), 1);
    const one = await flusher.flush(cut({ 0: 2 }, { 0: 1 }), 1);
    const size = store.size;
    const again = await flusher.flush(cut({ 0: 2 }, { 0: 1 }), 1);
    expect(again.seq).toBe(one.seq);
    expect(again.docs).toBe(0);
    expect(store.size).toBe(size);
    store.close();
  });

  it('with no checkpoint, versions continue above what Elasticsearch holds (and it says so)', async () => {
    const first = flusherOn(es, newDir());
    await first.flusher.restore();
    for (let k = 0; k < 3; k++) {
      first.flusher.onDelta(delta(k, events(1)), 1);
      await first.flusher.flush(cut({ 0: k + 1 }, { 0: 0 }), 0);
    }
    first.store.close();
    const lost = flusherOn(es, newDir());
    const restored = await lost.flusher.restore();
    expect(restored.seq).toBe(3);
    expect(problems.some((m) => m.includes('no checkpoint') && m.includes('versions from 4'))).toBe(true);
    lost.flusher.onDelta(delta(0, events(1)), 1);
    const r = await lost.flusher.flush(cut({ 0: 1 }, { 0: 0 }), 0);
    expect(r.seq).toBe(4);
    expect(await doc(USER_INDEX, 'u0')).toMatchObject({ version: 4, total_interactions: 1 });
    lost.store.close();
  });
});
