/**
 * How many events/s each single-threaded stage can carry, from input already in memory (on this
 * 2-core box the broker and Elasticsearch would otherwise be the limit): a stage's ceiling is the
 * events it handled per second of its own thread's CPU. A 16-core host runs several pool workers,
 * but one thread per other stage — the lowest of those ceilings caps the engine there.
 *   - source, per consumer: librdkafka's broker thread fetching (and decompressing) the topic into
 *     its queue, then `consumeBatch` packing the queue into segments (libuv thread) — drained from
 *     a queue already full;
 *   - main-thread dispatch: a segment → pool task → its delta relayed to the flusher's port;
 *   - pool worker: decode, validate, count (for comparison: there are as many as cores);
 *   - flusher merge: deltas into the aggregate state, windows closed per flush;
 *   - bulk writer: per flush, the checkpoint record (msgpack, no fsync: that is I/O), the
 *     documents, the bulk body as bytes and the parse of Elasticsearch's (filtered) answer — at
 *     375,000 events per flush (1.5 M events/s × 250 ms).
 * Events: the producer's, 1,000,000 users, 2,000 items, in batches of the engine's BATCH_SIZE.
 */
import { MessageChannel } from 'node:worker_threads';
import Kafka from 'node-rdkafka';
import { makeRecord } from '../../engine/checkpoint/record.js';
import { encodeRecord } from '../../engine/checkpoint/store.js';
import { documentsOf } from '../../engine/flusher/documents.js';
import { BatchPool } from '../../engine/pool/batch-pool.js';
import type { BatchDelta } from '../../engine/shared/messages.js';
import { BulkAnswerSerializer, bulkBody } from '../../engine/sink/bulk-writer.js';
import { taskOf } from '../../engine/source/batch-packer.js';
import { FETCH_SETTINGS } from '../../engine/source/fetch-settings.js';
import { consumeBatch, type Segment } from '../../engine/source/rdkafka-batch.js';
import { AggregateState } from '../../engine/window/aggregate-state.js';
import { preloadedTopic } from '../engine/run-cli.js';
import { threadCpu } from '../shared/process-cpu.js';

const BROKER = process.env.KAFKA_BROKER ?? '127.0.0.1:9092';
const BATCH = 32_768;
const TARGET = 1_500_000;
const PER_FLUSH = TARGET / 4;
const PACK = {
  windowMs: 1000,
  allowedLatenessMs: 2000,
  sessionGapMs: 1_800_000,
  format: 'json' as const,
  range: { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) },
  sampleEvery: 64,
  maxAheadMs: Number.POSITIVE_INFINITY,
};

/** The flusher's client serializer (an answer with no failed item is not parsed item by item). */
const serializer = new BulkAnswerSerializer();

const sum = (r: Record<string, number>, match: (k: string) => boolean) =>
  Object.entries(r).reduce((a, [k, v]) => a + (match(k) ? v : 0), 0);

/** A consumer of every partition from the start, its queue allowed to hold the whole topic. */
async function consumerOf(group: string): Promise<Kafka.KafkaConsumer> {
  const c = new Kafka.KafkaConsumer(
    {
      'metadata.broker.list': BROKER,
      'group.id': group,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      ...FETCH_SETTINGS,
      'queued.max.messages.kbytes': 2_000_000,
      'queued.min.messages': 10_000_000,
    },
    {},
  );
  await new Promise<void>((r, j) => c.connect({}, (e) => (e ? j(e) : r())));
  return c;
}

/**
 * Source with `k` consumers in one process (SOURCE_CONSUMERS; partition p to consumer p mod k):
 * each broker thread's CPU to fill its queue with its share of the topic, then all queues drained
 * at once by consumeBatch, one call per consumer at a time (as SourceGroup does).
 */
async function source(topic: string, events: number, k: number, keep: boolean) {
  const consumers = await Promise.all(Array.from({ length: k }, (_, i) => consumerOf(`${topic}-${k}-${i}`)));
  const brokerCpu = () => sum(threadCpu(process.pid), (name) => name.startsWith('rdk:broker'));
  const before = brokerCpu();
  const t0 = performance.now();
  consumers.forEach((c, i) => {
    const mine = [0, 1, 2, 3, 4, 5].filter((p) => p % k === i);
    c.assign(mine.map((partition) => ({ topic, partition, offset: 0 })));
  });
  // The queues are full (the whole topic fetched) once the broker threads have had nothing to do for a second.
  let last = before;
  for (let quiet = 0; quiet < 4 && performance.now() - t0 < 120_000; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = brokerCpu();
    quiet = now - last < 0.005 ? quiet + 1 : 0;
    last = now;
  }
  const fetchCpu = last - before;
  const segments: Segment[] = [];
  let n = 0;
  const t1 = performance.now();
  while (n < events) {
    const rs = await Promise.all(consumers.map((c) => consumeBatch(c, 100, Math.ceil(BATCH / k))));
    for (const s of rs.flatMap((r) => r.segments)) {
      n += s.count;
      if (keep) segments.push(s);
    }
  }
  const drainSeconds = (performance.now() - t1) / 1000;
  await Promise.all(consumers.map((c) => new Promise<void>((r) => c.disconnect(() => r()))));
  return {
    fetchWallSeconds: (t1 - t0) / 1000,
    /** Each broker thread's events per second of its CPU (they split the topic evenly). */
    brokerThreadEventsPerCpuSecond: events / fetchCpu,
    consumeBatchEventsPerSecond: n / drainSeconds,
    segments,
  };
}

/** Main thread and pool: every segment through the real BatchPool, deltas posted to a port. */
async function dispatch(segments: Segment[]) {
  // The segments' buffers move to the workers: give each run its own copies, made beforehand.
  const copies = segments.map((s) => ({ ...s, values: s.values.slice(0), meta: s.meta.slice(0) }));
  const pool = new BatchPool(2);
  const port = new MessageChannel();
  port.port2.on('message', () => undefined);
  const deltas: BatchDelta[] = [];
  const inflight = new Set<Promise<void>>();
  const mainBefore = threadCpu(process.pid).main;
  const t0 = performance.now();
  for (const s of copies) {
    const job = pool
      .run([{ partition: s.partition, initialMax: Number.NEGATIVE_INFINITY }], ([max]) => [
        taskOf(s, max, PACK),
      ])
      .then(([d]) => {
        port.port1.postMessage({ kind: 'delta', delta: d }); // what FlusherLink.delta does
        deltas.push(d);
      });
    inflight.add(job);
    job.finally(() => inflight.delete(job));
    if (inflight.size >= 8) await Promise.race(inflight); // MAX_INFLIGHT_BATCHES
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - t0) / 1000;
  const mainCpu = threadCpu(process.pid).main - mainBefore;
  await pool.close();
  port.port1.close();
  const events = deltas.reduce((a, d) => a + d.valid + d.late, 0);
  const workerSeconds = deltas.reduce((a, d) => a + d.workerNs, 0) / 1e9;
  return {
    events,
    wallEventsPerSecond: events / seconds,
    mainEventsPerCpuSecond: events / mainCpu,
    workerEventsPerCpuSecond: events / workerSeconds,
    deltas,
  };
}

/** Flusher: merge every delta; at every PER_FLUSH events close windows and build the flush's writes. */
function flusher(deltas: BatchDelta[]) {
  const state = new AggregateState(1000);
  let mergeMs = 0;
  let writeMs = 0;
  // body: the NDJSON text; bytes: as the HTTP client writes it; answer: Elasticsearch's, parsed.
  const parts = { recordMs: 0, encodeMs: 0, documentsMs: 0, bodyMs: 0, bytesMs: 0, answerMs: 0 };
  let since = 0;
  let seq = 0;
  let docs = 0;
  let bytes = 0;
  let known = { items: 0, users: 0, categories: 0 };
  let maxTime = Number.NEGATIVE_INFINITY;
  const flush = () => {
    const t = performance.now();
    const changed = state.takeDirty();
    const cut = { offsets: { 0: seq }, partitionMax: {}, invalid: 0, dlqEnd: 0, dlqCovered: {} };
    const record = makeRecord(state, changed, known, cut, ++seq, Date.now());
    known = { items: state.items.size, users: state.users.size, categories: state.funnel.categories.size };
    const t1 = performance.now();
    encodeRecord(record);
    const t2 = performance.now();
    const d = documentsOf(state, record, {
      windowMs: 1000,
      allowedLatenessMs: 2000,
      sessionGapMs: 1_800_000,
    });
    const t3 = performance.now();
    const text = bulkBody(d);
    const t3a = performance.now();
    const body = Buffer.from(text); // what the HTTP client writes
    bytes += body.length;
    const t3b = performance.now();
    // Elasticsearch's answer, as filtered by writeDocs, parsed the way the flusher's client does.
    serializer.deserialize(
      `{"errors":false,"items":[${'{"index":{"status":200}},'.repeat(d.length - 1)}{"index":{"status":200}}]}`,
    );
    const t4 = performance.now();
    docs += d.length;
    writeMs += t4 - t;
    parts.recordMs += t1 - t;
    parts.encodeMs += t2 - t1;
    parts.documentsMs += t3 - t2;
    parts.bodyMs += t3a - t3;
    parts.bytesMs += t3b - t3a;
    parts.answerMs += t4 - t3b;
  };
  for (const d of deltas) {
    const t = performance.now();
    state.apply(d);
    if (d.partitionMax > maxTime) maxTime = d.partitionMax;
    since += d.valid + d.late;
    if (since >= PER_FLUSH) state.closeWindows(maxTime - 2000);
    mergeMs += performance.now() - t;
    if (since >= PER_FLUSH) {
      flush();
      since = 0;
    }
  }
  flush();
  const events = deltas.reduce((a, d) => a + d.valid + d.late, 0);
  return {
    mergeEventsPerSecond: events / (mergeMs / 1000),
    writerEventsPerSecond: events / (writeMs / 1000),
    flusherThreadEventsPerSecond: events / ((mergeMs + writeMs) / 1000),
    flushes: seq,
    writerParts: parts,
    docsPerEvent: docs / events,
    bulkBytesPerDoc: bytes / docs,
  };
}

export async function stageCeilings(quick: boolean) {
  const events = quick ? 300_000 : 1_500_000;
  const { topic } = await preloadedTopic('ria-bench-ceiling', events, ['--users', '1000000']);
  const src = await source(topic, events, 1, true);
  // Two consumers in one process (SOURCE_CONSUMERS=2) drained together — measured, though on this
  // 2-core box their two packing threads and the main thread share two cores (a bigger host does
  // no worse). Their segments are not kept: holding a second copy of the topic slowed the rest.
  const two = await source(topic, events, 2, false);
  const disp = await dispatch(src.segments);
  flusher(disp.deltas); // warm-up: the same work once with cold code
  const fl = flusher(disp.deltas);
  const stages = {
    'source: broker thread (fetch, decompress), per consumer': src.brokerThreadEventsPerCpuSecond,
    'source: consumeBatch packing (libuv thread), per consumer': src.consumeBatchEventsPerSecond,
    'source: 2 consumers in one process (SOURCE_CONSUMERS=2), drained together':
      two.consumeBatchEventsPerSecond,
    'source: 2 consumers (SOURCE_CONSUMERS=2), their two broker threads':
      2 * two.brokerThreadEventsPerCpuSecond,
    'main-thread dispatch': disp.mainEventsPerCpuSecond,
    'pool worker (one of many)': disp.workerEventsPerCpuSecond,
    'flusher merge': fl.mergeEventsPerSecond,
    'bulk writer (record, documents, body)': fl.writerEventsPerSecond,
    'flusher thread (merge + writer)': fl.flusherThreadEventsPerSecond,
  };
  // What caps a big host: with one consumer, and with SOURCE_CONSUMERS=2 (the source rows of two).
  const capOf = (rows: [string, number][]) => rows.sort((x, y) => x[1] - y[1])[0];
  const threadStages = Object.entries(stages).filter(
    ([k]) => !k.startsWith('pool worker') && !k.startsWith('flusher merge') && !k.startsWith('bulk writer'),
  );
  const [capName, capRate] = capOf(threadStages.filter(([k]) => !k.includes('SOURCE_CONSUMERS=2')));
  const [capTwoName, capTwoRate] = capOf(threadStages.filter(([k]) => !k.includes('per consumer')));
  return {
    events,
    users: 1_000_000,
    target: TARGET,
    stages,
    cap: { stage: capName, eventsPerSecond: capRate },
    capWithTwoConsumers: { stage: capTwoName, eventsPerSecond: capTwoRate },
    poolOnThisHost: disp.wallEventsPerSecond,
    flusher: fl,
    fetchWallSeconds: { one: src.fetchWallSeconds, two: two.fetchWallSeconds },
  };
}
