/**
 * Avro input against the real Kafka, Elasticsearch and Apicurio Registry of `ria stack up`
 * (docs/schemas.md): one topic that moves from JSON to Avro and then to an evolved schema while the
 * engine runs and is killed with SIGKILL — exact, for the single engine and for counters + merger,
 * in the indices and in the changelog topics (Avro from the engine, JSON from the merger);
 * and the registry stopped: nothing is dead-lettered, /readyz names it, and once it is back (its
 * schemas kept across `stack down` / `stack up`) the engine goes on, exact.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changelogTopicOf } from '../../engine/changelog/changelog-records.js';
import { runStackScript } from '../../engine/setup/stack-script.js';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { changelogOf } from '../../engine/verify/changelog-documents.js';
import { readTruth, verify, verifyDocuments } from '../../engine/verify/verify.js';
import {
  consumeAll,
  deleteTopics,
  freePort,
  newTopic,
  requireServices,
  SCHEMA_REGISTRY_URL,
  services,
  truthOfTopic,
  uniqueName,
} from './helpers.js';
import { metricOf, sleep } from './live-run.js';
import { ria } from './run-ria.js';

const es = createEsClient(services);
const REGISTRY = { SCHEMA_REGISTRY_URL };
const SESSION_GAP = ['--session-gap-ms', '50'];

/** The repository's event schema evolved as BACKWARD allows: event_id removed, a field added with a default. */
const EVOLVED = join(tmpdir(), `${uniqueName('evolved')}.avsc`);
writeFileSync(
  EVOLVED,
  JSON.stringify({
    type: 'record',
    name: 'InteractionEvent',
    namespace: 'ria.events',
    fields: [
      { name: 'referrer', type: 'string', default: '' },
      { name: 'session_id', type: ['null', 'string'], default: null },
      { name: 'user_id', type: 'string' },
      { name: 'item_id', type: 'string' },
      { name: 'category', type: ['null', 'string'], default: null },
      { name: 'price_usd', type: ['null', 'double'], default: null },
      { name: 'interaction_type', type: ['null', 'string'], default: null },
      { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  }),
);

/** Three producer runs into `topic`, one after the other: JSON, Avro, Avro with the evolved schema. */
function mixedTraffic(topic: string, perRun: number) {
  const runs = [
    ['--format', 'json'],
    ['--format', 'avro'],
    ['--format', 'avro', '--avro-schema', EVOLVED],
  ];
  const truths = runs.map((_, i) => join(tmpdir(), `${topic}.${i}.truth.json`));
  const done = (async () => {
    for (const [i, format] of runs.entries()) {
      const r = await ria(
        [
          'produce',
          '--kafka-topic',
          topic,
          '--rate',
          '100000',
          '--count',
          String(perRun),
          '--seed',
          `${topic}-${i}`,
          ...format,
          ...SESSION_GAP,
          '--out-of-order-share',
          '0.05',
          '--invalid-share',
          '0.002',
          '--truth',
          truths[i],
          '--quiet',
        ],
        REGISTRY,
      ).done;
      expect(r.code, r.out).toBe(0);
    }
  })();
  return { done, truths };
}

/**
 * The indices — and the changelog topics, read as compacted topics are — equal the truth of the
 * topic read back (Avro by its writer schemas); the dead letters are the invalid messages.
 */
async function expectExact(topic: string, truths: string[]) {
  const runs = truths.map(readTruth);
  const truth = await truthOfTopic(topic, runs, true);
  expect(truth.events.invalid).toBeGreaterThan(0);
  expect(truth.global.sessions).toBeGreaterThan(0);
  expect((await verify(es, truth)).differences).toEqual([]);
  const changelog = await verifyDocuments(
    changelogOf({ ...services, schemaRegistryUrl: SCHEMA_REGISTRY_URL }),
    truth,
  );
  expect(changelog.differences).toEqual([]);
  const dead = await consumeAll(`${topic}.dlq`, truth.events.invalid + 1, 20_000);
  expect(dead.length).toBe(truth.events.invalid);
  const reasons = new Set(
    dead.map((m) =>
      String((Object.assign({}, ...(m.headers ?? [])) as Record<string, Buffer>)['ria.reason']),
    ),
  );
  // The Avro kinds of bad input came with their reasons.
  expect([...reasons].some((r) => r.startsWith('schema: unknown id'))).toBe(true);
  expect([...reasons].some((r) => r.startsWith('avro: '))).toBe(true);
}

async function untilDurable(
  port: number,
  what: string,
  proc: { output: () => string; child: { exitCode: number | null } },
) {
  const deadline = Date.now() + 120_000;
  while (!((await metricOf(port, 'ria_flushes_total')) > 0)) {
    if (Date.now() > deadline || proc.child.exitCode !== null)
      throw new Error(`${what} made nothing durable:\n${proc.output().slice(-3000)}`);
    await sleep(200);
  }
}

describe('Avro input with a real schema registry', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    await deleteTopics(AGG_INDICES.map(changelogTopicOf));
  });
  afterAll(() => es.close());

  it('a topic moving from JSON to Avro to an evolved schema, the engine killed twice: exact', async () => {
    const { topic, checkpoint } = await newTopic('ria-avro');
    const traffic = mixedTraffic(topic, 150_000);
    // The changelog in Avro: its records come back through the registry too.
    const engineArgs = [
      'engine',
      '--kafka-topic',
      topic,
      '--checkpoint-dir',
      checkpoint,
      '--status-interval-ms',
      '0',
      '--changelog-topics',
      '--changelog-format',
      'avro',
      ...SESSION_GAP,
    ];
    const delays = [1500 + Math.floor(Math.random() * 3000), 3000 + Math.floor(Math.random() * 3000)];
    console.log(`ria-avro: kill delays (ms after the first flush): ${delays.join(', ')}`);
    for (const afterMs of delays) {
      const port = await freePort();
      const engine = ria([...engineArgs, '--dashboard-port', String(port)], REGISTRY);
      await untilDurable(port, 'the engine', engine);
      await sleep(afterMs);
      engine.child.kill('SIGKILL');
      expect((await engine.done).signal).toBe('SIGKILL');
    }
    await traffic.done;
    const final = await ria([...engineArgs, '--dashboard-port', '0', '--exit-when-idle'], REGISTRY).done;
    expect(final.code, final.out).toBe(0);
    await expectExact(topic, traffic.truths);
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('scaled out (two counters, a merger; a counter killed once): exact on the same kind of topic', async () => {
    const { topic, checkpoint } = await newTopic('ria-avro-scale');
    const group = uniqueName('ria-avro-counters');
    const common = [
      '--kafka-topic',
      topic,
      '--consumer-group',
      group,
      '--status-interval-ms',
      '0',
      ...SESSION_GAP,
    ];
    const counter = (id: string, port: number, ...more: string[]) =>
      ria(
        [
          'engine',
          '--role',
          'counter',
          '--instance-id',
          id,
          '--dashboard-port',
          String(port),
          ...common,
          '--rdkafka',
          'session.timeout.ms=6000,heartbeat.interval.ms=1000',
          ...more,
        ],
        REGISTRY,
      );
    const merger = (...more: string[]) =>
      ria(
        [
          'engine',
          '--role',
          'merger',
          '--checkpoint-dir',
          checkpoint,
          '--dashboard-port',
          '0',
          // The merger writes the changelog topics in scale-out (JSON here).
          '--changelog-topics',
          ...common,
          ...more,
        ],
        REGISTRY,
      );
    const traffic = mixedTraffic(topic, 100_000);
    const m = merger();
    const port = await freePort();
    const victim = counter('a', port);
    const steady = counter('b', 0);
    await untilDurable(port, 'counter a', victim);
    await sleep(Math.floor(Math.random() * 3000));
    victim.child.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');
    await traffic.done;
    while (!steady.output().includes('counter: assigned partitions')) await sleep(200);
    const stopping = [counter('a', 0, '--exit-when-idle'), counter('b2', 0, '--exit-when-idle')];
    steady.child.kill('SIGTERM');
    expect((await steady.done).code).toBe(0);
    for (const c of stopping) {
      const r = await c.done;
      expect(r.code, r.out).toBe(0);
    }
    m.child.kill('SIGTERM');
    expect((await m.done).code).toBe(0);
    const merged = await merger('--exit-when-idle').done;
    expect(merged.code, merged.out).toBe(0);
    await expectExact(topic, traffic.truths);
    rmSync(checkpoint, { recursive: true, force: true });
  }, 600_000);

  it('waits while the registry is down (nothing dead-lettered, /readyz says why) and goes on when it is back', async () => {
    const { topic, checkpoint } = await newTopic('ria-avro-outage');
    const truths = [0, 1].map((i) => join(tmpdir(), `${topic}.${i}.truth.json`));
    for (const [i, format] of ['json', 'avro'].entries()) {
      const r = await ria(
        [
          'produce',
          '--kafka-topic',
          topic,
          '--rate',
          '0',
          '--count',
          '20000',
          '--seed',
          `${topic}-${i}`,
          '--format',
          format,
          '--truth',
          truths[i],
          '--quiet',
        ],
        REGISTRY,
      ).done;
      expect(r.code, r.out).toBe(0);
    }
    expect(await runStackScript(['down', 'registry'], process.env, true)).toBe(0);
    let engine: ReturnType<typeof ria> | undefined;
    try {
      const port = await freePort();
      engine = ria(
        [
          'engine',
          '--kafka-topic',
          topic,
          '--checkpoint-dir',
          checkpoint,
          '--status-interval-ms',
          '0',
          '--dashboard-port',
          String(port),
          '--exit-when-idle',
        ],
        REGISTRY,
      );
      let reasons: string[] = [];
      for (let i = 0; i < 300 && !reasons.some((r) => r.includes('schema registry')); i++) {
        await sleep(200);
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (r?.status === 503) reasons = ((await r.json()) as { reasons?: string[] }).reasons ?? [];
      }
      expect(reasons.join('; ')).toMatch(/waiting for the schema registry/);
      await sleep(3000);
      expect(engine.child.exitCode).toBe(null);
      expect(await metricOf(port, 'ria_dead_letters_total')).toBe(0);
    } finally {
      expect(await runStackScript(['up', 'registry'], process.env, true)).toBe(0);
    }
    const done = await engine.done;
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/schema registry answers again/);
    const truth = await truthOfTopic(topic, truths.map(readTruth), true);
    expect((await verify(es, truth)).differences).toEqual([]);
    expect(await consumeAll(`${topic}.dlq`, 1, 3000)).toEqual([]);
    rmSync(checkpoint, { recursive: true, force: true });
  });
});
