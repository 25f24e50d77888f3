/**
 * The engine against the real Kafka and Elasticsearch: after ≥ 1 M events over 6 partitions with
 * out-of-order, late and invalid events mixed in, the three indices equal the producer's truth
 * and the dead-letter topic holds exactly the invalid events — also when the engine is killed
 * with SIGKILL five times at random moments over 2 M events and restarted, and when it reads
 * with several consumers (SOURCE_CONSUMERS).
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGG_INDICES, CATEGORY_INDEX, ITEM_INDEX } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { consumeAll, newTopic, requireServices, services } from './helpers.js';
import { ria } from './run-ria.js';

const es = createEsClient(services);
const EVENTS = 1_000_000;
const SESSION_GAP = ['--session-gap-ms', '50'];

async function freshRun(name: string, events = EVENTS) {
  const { topic, truth, checkpoint } = await newTopic(name);
  const produceArgs = [
    'produce',
    '--kafka-topic',
    topic,
    '--rate',
    '0',
    '--count',
    String(events),
    '--seed',
    topic,
    // A short session gap: sessions close while the topic is drained (the default's 30 min would
    // leave every one open), so the kills hit open and closed session state alike.
    ...SESSION_GAP,
  ];
  produceArgs.push(
    '--out-of-order-share',
    '0.05',
    '--late-share',
    '0.005',
    '--invalid-share',
    '0.002',
    '--truth',
    truth,
    '--quiet',
  );
  const engineArgs = [
    'engine',
    '--kafka-topic',
    topic,
    '--checkpoint-dir',
    checkpoint,
    '--status-interval-ms',
    '0',
    '--dashboard-port',
    '0',
    ...SESSION_GAP,
  ];
  return { topic, truth, checkpoint, produceArgs, engineArgs, events };
}

async function expectExact(run: { topic: string; truth: string; events: number }) {
  const truth = readTruth(run.truth);
  expect(truth.events.valid + truth.events.invalid).toBe(run.events);
  // The funnel and sessions are there to compare (verify compares every field).
  expect(truth.global.purchases).toBeGreaterThan(0);
  expect(truth.global.revenue_cents).toBeGreaterThan(0);
  expect(truth.global.sessions).toBeGreaterThan(0);
  expect(truth.global.purchasing_sessions).toBeGreaterThan(0);
  expect(truth.global.sessions_open).toBeGreaterThan(0);
  expect(truth.global.session_late_events).toBeGreaterThan(0);
  const r = await verify(es, truth);
  expect(r.differences).toEqual([]);
  // The dead-letter topic: exactly the invalid events, once each.
  const dead = await consumeAll(`${run.topic}.dlq`, truth.events.invalid, 60_000);
  const sources = new Set(
    dead.map((m) => {
      const h = Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>;
      expect(String(h['ria.reason'])).not.toBe('');
      return `${h['ria.source.partition']}:${h['ria.source.offset']}`;
    }),
  );
  expect(dead.length).toBe(truth.events.invalid);
  expect(sources.size).toBe(truth.events.invalid);
}

/**
 * `verify --kpis counts` (what the benchmarks' peers are held to): the seed's three documents
 * only. Without the funnel fields and the category index it still passes; a wrong count fails it.
 */
async function expectCountsOnlyVerify(truth: ReturnType<typeof readTruth>) {
  const [item, want] = Object.entries(truth.items)[0];
  const doc = (await es.get<Record<string, unknown>>({ index: ITEM_INDEX, id: item }))._source!;
  const seedFields = {
    item_id: item,
    total_interactions: doc.total_interactions,
    max_per_sec: doc.max_per_sec,
    min_per_sec: doc.min_per_sec,
  };
  await es.index({ index: ITEM_INDEX, id: item, document: seedFields, refresh: true });
  await es.indices.delete({ index: CATEGORY_INDEX });
  expect((await verify(es, truth)).count).toBeGreaterThan(0);
  expect((await verify(es, truth, 'counts')).differences).toEqual([]);
  await es.index({
    index: ITEM_INDEX,
    id: item,
    document: { ...seedFields, total_interactions: want.total_interactions + 1 },
    refresh: true,
  });
  expect((await verify(es, truth, 'counts')).differences).toEqual([
    `item ${item}: total_interactions is ${want.total_interactions + 1}, want ${want.total_interactions}`,
  ]);
}

/**
 * The producer runs while the engine is killed: the kills land mid-stream, at random moments
 * (printed, so that a failure can be replayed with the same delays); then a last run to the end.
 */
async function killedRun(name: string, events: number, kills: number, extra: string[]) {
  const run = await freshRun(name, events);
  const engineArgs = [...run.engineArgs, ...extra];
  const producer = ria([...run.produceArgs.map((a) => (a === '0' ? '150000' : a))]);
  const delays = Array.from({ length: kills }, () => 1500 + Math.floor(Math.random() * 3500));
  console.log(`${name}: kill delays (ms after each start): ${delays.join(', ')}`);
  const checkpointSize = () => {
    try {
      return statSync(join(run.checkpoint, 'checkpoint.log')).size;
    } catch {
      return 0;
    }
  };
  for (const afterMs of delays) {
    const before = checkpointSize();
    const engine = ria(engineArgs);
    await new Promise((r) => setTimeout(r, afterMs));
    // On a slow moment of a shared machine the engine may not have flushed yet: each kill comes
    // after this run made progress durable, so every restart resumes from a newer checkpoint.
    for (let waited = 0; checkpointSize() <= before && waited < 60_000; waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    engine.child.kill('SIGKILL');
    const killed = await engine.done;
    expect(killed.signal, killed.out).toBe('SIGKILL');
  }
  // The kills came after the engine had made progress durable (it restarted from a checkpoint).
  expect(statSync(join(run.checkpoint, 'checkpoint.log')).size).toBeGreaterThan(10_000);
  const produced = await producer.done;
  expect(produced.code, produced.out).toBe(0);
  const final = await ria([...engineArgs, '--exit-when-idle']).done;
  expect(final.code, final.out).toBe(0);
  await expectExact(run);
  rmSync(run.checkpoint, { recursive: true, force: true });
  return final.out;
}

describe('ria engine (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(() => es.close());

  it('makes the indices equal the truth after 1 M events with out-of-order, late and invalid ones', async () => {
    const run = await freshRun('ria-engine');
    const produced = await ria(run.produceArgs).done;
    expect(produced.code, produced.out).toBe(0);
    const engine = await ria([...run.engineArgs, '--exit-when-idle']).done;
    expect(engine.code, engine.out).toBe(0);
    await expectExact(run);
    rmSync(run.checkpoint, { recursive: true, force: true });
    await expectCountsOnlyVerify(readTruth(run.truth));
  });

  it('stays exact when killed with SIGKILL five times at random moments over 2 M events', async () => {
    await killedRun('ria-kill', 2_000_000, 5, []);
  });

  it('reads with several consumers (SOURCE_CONSUMERS=4 over 6 partitions): exact, also across SIGKILLs', async () => {
    const out = await killedRun('ria-consumers', 600_000, 2, ['--source-consumers', '4']);
    // bin/ria.js sized libuv's pool for them before anything started it (4 + one per consumer).
    expect(out).toContain('4 consumer(s), libuv pool 8');
  });
});
