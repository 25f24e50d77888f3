/**
 * Scale-out against the real Kafka and Elasticsearch (docs/scale-out.md): two counters in one
 * consumer group and a merger. While 1 M events with out-of-order, late and invalid ones arrive,
 * one counter is killed with SIGKILL twice (and restarted; its partitions move to the other
 * counter and back) and the merger once; the three indices must equal the producer's truth and
 * the dead-letter topic must hold exactly the invalid events.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGG_INDICES, AVG_INDEX, GLOBAL_DOC_ID } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { consumeAll, freePort, newTopic, requireServices, services, uniqueName } from './helpers.js';
import { metricOf } from './live-run.js';
import { ria } from './run-ria.js';

const es = createEsClient(services);
const EVENTS = 1_000_000;
// A killed counter's partitions move after the group's session time-out: the broker's minimum.
const GROUP_SETTINGS = ['--rdkafka', 'session.timeout.ms=6000,heartbeat.interval.ms=1000'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ria engine scaled out: counters + merger (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(() => es.close());

  it('stays exact when a counter is killed twice and the merger once', async () => {
    const { topic, truth, checkpoint } = await newTopic('ria-scale');
    const group = uniqueName('ria-counters');
    // A short session gap, so that sessions close in the merger while it runs (verify compares them).
    const common = [
      '--kafka-topic',
      topic,
      '--status-interval-ms',
      '0',
      '--session-gap-ms',
      '50',
      ...GROUP_SETTINGS,
    ];
    const counter = (id: string, port = 0, ...more: string[]) =>
      ria([
        'engine',
        '--role',
        'counter',
        '--consumer-group',
        group,
        '--instance-id',
        id,
        // Counters serve /metrics too: on one host, each needs its own port (0: none).
        '--dashboard-port',
        String(port),
        ...common,
        ...more,
      ]);
    const merger = (...more: string[]) =>
      ria([
        'engine',
        '--role',
        'merger',
        '--consumer-group',
        group,
        '--checkpoint-dir',
        checkpoint,
        '--dashboard-port',
        '0',
        ...common,
        ...more,
      ]);
    const producer = ria([
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      '100000',
      '--count',
      String(EVENTS),
      '--seed',
      topic,
      '--session-gap-ms',
      '50',
      '--out-of-order-share',
      '0.05',
      '--late-share',
      '0.005',
      '--invalid-share',
      '0.002',
      '--truth',
      truth,
      '--quiet',
    ]);
    const steady = counter('b');
    let m = merger();
    // Each kill comes after the victim committed a transaction (progress seen in its /metrics),
    // at a random delay after that (printed, so that a failure can be replayed).
    const delays = Array.from({ length: 2 }, () => Math.floor(Math.random() * 3000));
    console.log(`counter kill delays (ms after its first committed transaction): ${delays.join(', ')}`);
    for (const [i, afterMs] of delays.entries()) {
      const port = await freePort();
      const victim = counter('a', port);
      const deadline = Date.now() + 120_000;
      while (!((await metricOf(port, 'ria_flushes_total')) > 0)) {
        if (Date.now() > deadline || victim.child.exitCode !== null)
          throw new Error(`counter a committed no transaction:\n${victim.output().slice(-3000)}`);
        await sleep(200);
      }
      await sleep(afterMs);
      victim.child.kill('SIGKILL');
      expect((await victim.done).signal).toBe('SIGKILL');
      if (i === 0) {
        m.child.kill('SIGKILL');
        expect((await m.done).signal).toBe('SIGKILL');
        m = merger();
      }
    }
    const again = counter('a');
    const produced = await producer.done;
    expect(produced.code, produced.out).toBe(0);
    // A signal is for a counter that has started (a process still booting has no handler yet).
    for (const c of [again, steady])
      while (!c.output().includes('counter: assigned partitions')) await sleep(200);
    // Both counters count their partitions to the end, say so, and stop; so does the merger.
    const stopping = [counter('a', 0, '--exit-when-idle'), counter('b', 0, '--exit-when-idle')];
    again.child.kill('SIGTERM');
    steady.child.kill('SIGTERM');
    for (const c of [again, steady]) expect((await c.done).code).toBe(0);
    m.child.kill('SIGTERM');
    expect((await m.done).code).toBe(0);
    const finalMerger = merger('--exit-when-idle');
    for (const c of stopping) {
      const r = await c.done;
      expect(r.code, r.out).toBe(0);
    }
    const merged = await finalMerger.done;
    expect(merged.code, merged.out).toBe(0);

    const t = readTruth(truth);
    expect(t.events.valid + t.events.invalid).toBe(EVENTS);
    expect(t.events.late).toBeGreaterThan(0);
    expect(t.global.sessions).toBeGreaterThan(0);
    expect(t.global.purchasing_sessions).toBeGreaterThan(0);
    const r = await verify(es, t);
    expect(r.differences).toEqual([]);
    const dead = await consumeAll(`${topic}.dlq`, t.events.invalid + 1, 20_000);
    const sources = new Set(
      dead.map((msg) => {
        const h = Object.assign({}, ...(msg.headers ?? [])) as Record<string, Buffer>;
        return `${h['ria.source.partition']}:${h['ria.source.offset']}`;
      }),
    );
    expect(dead.length).toBe(t.events.invalid);
    expect(sources.size).toBe(t.events.invalid);
    rmSync(checkpoint, { recursive: true, force: true });
  }, 600_000);

  it("moves a partition's maximum event time with it: events behind it are late for the next counter", async () => {
    const { topic, checkpoint } = await newTopic('ria-scale-max');
    const group = uniqueName('ria-counters');
    const common = [
      '--kafka-topic',
      topic,
      '--status-interval-ms',
      '0',
      '--dashboard-port',
      '0',
      '--consumer-group',
      group,
    ];
    const produce = async (count: number, startTime: string) => {
      const r = await ria([
        'produce',
        '--kafka-topic',
        topic,
        '--rate',
        '0',
        '--count',
        String(count),
        '--start-time',
        startTime,
        '--seed',
        `${topic}-${startTime}`,
        '--quiet',
      ]).done;
      expect(r.code, r.out).toBe(0);
    };
    const countToEnd = async (id: string) => {
      const r = await ria(['engine', '--role', 'counter', '--instance-id', id, ...common, '--exit-when-idle'])
        .done;
      expect(r.code, r.out).toBe(0);
    };
    await produce(20_000, '2026-01-01T00:00:00Z');
    await countToEnd('first');
    // An hour behind every partition's maximum: late, but only a counter that resumed with that
    // maximum (from the last record) knows it.
    await produce(5_000, '2025-12-31T23:00:00Z');
    await countToEnd('second');
    const merged = await ria([
      'engine',
      '--role',
      'merger',
      ...common,
      '--checkpoint-dir',
      checkpoint,
      '--dashboard-port',
      '0',
      '--exit-when-idle',
    ]).done;
    expect(merged.code, merged.out).toBe(0);
    const global = await es.get<{ total_interactions: number; late_events: number }>({
      index: AVG_INDEX,
      id: GLOBAL_DOC_ID,
    });
    expect(global._source?.total_interactions).toBe(25_000);
    expect(global._source?.late_events).toBe(5_000);
    rmSync(checkpoint, { recursive: true, force: true });
  }, 300_000);
});
