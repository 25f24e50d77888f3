/**
 * The flusher's two writes per flush, each beside an alternative:
 *   - the bulk body for 6,000 changed documents (2,000 items, 4,000 users): our `index`
 *     operations with full values and an external version built as one NDJSON string (bulkBody)
 *     — against an operations array serialized the way the client does (one JSON.stringify per
 *     line), and against the scripted partial updates we avoid (body size and build time; Elasticsearch's own cost for scripts is the
 *     larger one, docs/field-notes.md);
 *   - the checkpoint append (msgpack + CRC-32 frame + write + fsync, CheckpointStore) — against
 *     JSON lines with fsync, and msgpack without fsync (what the fsync costs).
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Serializer } from '@elastic/transport';
import { Packr } from 'msgpackr';
import { Bench } from 'tinybench';
import { makeRecord } from '../../engine/checkpoint/record.js';
import { CheckpointStore } from '../../engine/checkpoint/store.js';
import { documentsOf } from '../../engine/flusher/documents.js';
import { ITEM_INDEX, USER_INDEX } from '../../engine/shared/indices.js';
import { bulkBody, type Doc, docOf } from '../../engine/sink/bulk-writer.js';
import { AggregateState } from '../../engine/window/aggregate-state.js';

/** A document as an object, the way the client (and our flusher before its templates) takes it. */
interface ObjectDoc {
  index: string;
  id: string;
  version: number;
  body: Record<string, unknown>;
}

function docs(version: number): ObjectDoc[] {
  const at = new Date().toISOString();
  const items = Array.from({ length: 2000 }, (_, i) => {
    const id = `SKU-${String(i).padStart(4, '0')}`;
    return {
      index: ITEM_INDEX,
      id,
      version,
      body: {
        item_id: id,
        total_interactions: 1000 + i,
        max_per_sec: 40,
        min_per_sec: 1,
        windows: 60,
        '@timestamp': at,
      },
    };
  });
  const users = Array.from({ length: 4000 }, (_, i) => {
    const id = `user-${String(i).padStart(7, '0')}`;
    return {
      index: USER_INDEX,
      id,
      version,
      body: { user_id: id, total_interactions: 10 + i, '@timestamp': at },
    };
  });
  return [...items, ...users];
}

const serializer = new Serializer();

/** What the client does with an operations array: one JSON.stringify per line. */
function clientSerializedBody(ds: ObjectDoc[]): string {
  const ops: Record<string, unknown>[] = [];
  for (const d of ds)
    ops.push(
      { index: { _index: d.index, _id: d.id, version: d.version, version_type: 'external_gte' } },
      d.body,
    );
  return serializer.ndserialize(ops);
}

/** The road not taken: a scripted update per document adding this flush's increments. */
function scriptedBody(ds: ObjectDoc[]): string {
  const ops: Record<string, unknown>[] = [];
  for (const d of ds)
    ops.push(
      { update: { _index: d.index, _id: d.id, retry_on_conflict: 3 } },
      {
        script: { source: 'ctx._source.total_interactions += params.n', params: { n: 1 } },
        upsert: d.body,
      },
    );
  return serializer.ndserialize(ops);
}

function stateWithChanges(): AggregateState {
  const s = new AggregateState(1000);
  for (let i = 0; i < 2000; i++) s.internItem(`SKU-${String(i).padStart(4, '0')}`);
  for (let u = 0; u < 4000; u++) s.internUser(`user-${String(u).padStart(7, '0')}`);
  return s;
}

/** The flusher's path before the templates: objects, then one stringify per document line. */
function objectLinesBody(ds: ObjectDoc[]): string {
  const asDocs: Doc[] = ds.map((d) => docOf(d.index, d.id, d.version, d.body));
  return bulkBody(asDocs);
}

export async function sinkBench(quick: boolean) {
  const ds = docs(7);
  const sizes = {
    currentBytes: Buffer.byteLength(objectLinesBody(ds)),
    clientSerializedBytes: Buffer.byteLength(clientSerializedBody(ds)),
    scriptedBytes: Buffer.byteLength(scriptedBody(ds)),
  };
  const dir = mkdtempSync(join(tmpdir(), 'ria-bench-ckpt-'));
  const store = new CheckpointStore(join(dir, 'store'), {
    format: 'ria-checkpoint/1',
    topic: 'bench',
    windowMs: 1000,
    allowedLatenessMs: 2000,
    sessionGapMs: 1_800_000,
  });
  store.load();
  const s = stateWithChanges();
  const all = { items: [...Array(2000).keys()], users: [...Array(4000).keys()], categories: [] };
  const record = makeRecord(
    s,
    all,
    { items: 0, users: 0, categories: 0 },
    { offsets: { 0: 1 }, partitionMax: {}, invalid: 0, dlqEnd: 0, dlqCovered: {} },
    1,
    1,
  );
  const packr = new Packr({ useRecords: false, mapsAsObjects: true });
  const jsonFd = openSync(join(dir, 'json.log'), 'a');
  const noSyncFd = openSync(join(dir, 'nosync.log'), 'a');
  const bench = new Bench({ time: quick ? 300 : 1500 });
  bench
    .add('bulk body, 6,000 docs: from the record through templates (documentsOf + bulkBody, current)', () =>
      bulkBody(documentsOf(s, record, { windowMs: 1000, allowedLatenessMs: 2000, sessionGapMs: 1_800_000 })),
    )
    .add('bulk body, 6,000 docs: objects, one stringify per line, one string', () => objectLinesBody(ds))
    .add('bulk body, 6,000 docs: operations array serialized by the client', () => clientSerializedBody(ds))
    .add('bulk body, 6,000 docs: scripted partial updates (avoided)', () => scriptedBody(ds))
    .add('checkpoint append, 6,000 changes: msgpack + CRC + fsync (current)', () => store.append(record))
    .add('checkpoint append, 6,000 changes: JSON line + fsync', () => {
      writeSync(jsonFd, `${JSON.stringify(record)}\n`);
      fsyncSync(jsonFd);
    })
    .add('checkpoint append, 6,000 changes: msgpack, no fsync (unsafe)', () => {
      writeSync(noSyncFd, packr.pack(record));
    });
  await bench.run();
  store.close();
  closeSync(jsonFd);
  closeSync(noSyncFd);
  rmSync(dir, { recursive: true, force: true });
  return {
    sizes,
    micro: bench.tasks.map((t) => ({
      name: t.name,
      usPerOp: (t.result as { latency: { p50: number } }).latency.p50 * 1000,
    })),
  };
}
