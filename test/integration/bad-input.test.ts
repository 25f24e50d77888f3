/**
 * Bad input through the real engine (the byte-level cases are unit tests in
 * engine/shared/bad-input.test.ts): besides the producer's own invalid share, a 1 MiB message,
 * an invalid event with a null key and a valid (late) event with a null key go into the topic.
 * The engine must not crash or stall; the indices equal the truth (adjusted by the one valid
 * extra event); the dead-letter topic holds every invalid message once, the 1 MiB one cut to
 * 64 KiB with `ria.truncated` and its original size.
 */
import { rmSync, writeFileSync } from 'node:fs';
import Kafka from 'node-rdkafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { consumeAll, newTopic, requireServices, services, truthOfMessages } from './helpers.js';
import { ria } from './run-ria.js';

const es = createEsClient(services);

function produceRaw(topic: string, messages: { value: Buffer; key: null }[]): Promise<void> {
  const producer = new Kafka.Producer({
    'bootstrap.servers': services.kafkaBroker,
    'message.max.bytes': 2_000_000,
    dr_cb: true,
    ...services.rdkafka,
  });
  return new Promise((resolve, reject) => {
    producer.connect({ timeout: 10_000 }, (e) => {
      if (e) return reject(e);
      for (const m of messages) producer.produce(topic, 0, m.value, m.key);
      producer.flush(30_000, (err) => {
        producer.disconnect();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}

const header = (m: Kafka.Message, name: string) => {
  const h = m.headers?.find((x) => name in x)?.[name];
  return h === undefined ? undefined : String(h);
};

describe('bad input through the real engine', () => {
  beforeAll(requireServices);
  afterAll(() => es.close());

  it('routes a 1 MiB message and null-key messages correctly, counts the rest exactly', async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    const { topic, truth, checkpoint } = await newTopic('ria-badinput');
    const produced = await ria([
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      '0',
      '--count',
      '20000',
      '--invalid-share',
      '0.02',
      '--truth',
      truth,
    ]).done;
    expect(produced.code, produced.out).toBe(0);
    const invalidSent = Number(/(\d+) invalid/.exec(produced.out)?.[1]);

    // A valid event of a user and an item of the run, an hour old (so late) and sent with a null
    // key to partition 0: it counts in the totals of its user and item, in no window. Made from
    // scratch: a consumed sample could be one of the run's invalid events (a bad price, say).
    const t = readTruth(truth);
    const late: Record<string, unknown> = {
      event_id: '00000000-0000-4000-8000-000000000001',
      session_id: 'late-session',
      user_id: Object.keys(t.users)[0],
      item_id: Object.keys(t.items)[0],
      category: 'late',
      price_usd: 1,
      interaction_type: 'view',
      timestamp: new Date(Date.now() - 3_600_000).toISOString(),
    };
    await produceRaw(topic, [
      { value: Buffer.alloc(1 << 20, 'x'), key: null },
      { value: Buffer.from('{"user_id": 5, "item_id": "SKU-1"}'), key: null },
      { value: Buffer.from(JSON.stringify(late)), key: null },
    ]);
    // The truth of everything the topic now holds, read back (the late event's funnel, category
    // and session fields included).
    const all = await consumeAll(topic, 20_003, 120_000);
    expect(all.length).toBe(20_003);
    writeFileSync(truth, JSON.stringify(truthOfMessages(topic, all, [t])));

    const r = await ria([
      'engine',
      '--kafka-topic',
      topic,
      '--checkpoint-dir',
      checkpoint,
      '--dashboard-port',
      '0',
      '--exit-when-idle',
      '--idle-timeout-ms',
      '1000',
    ]).done;
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect((await verify(es, readTruth(truth))).differences).toEqual([]);

    const letters = await consumeAll(`${topic}.dlq`, invalidSent + 2);
    expect(letters.length).toBe(invalidSent + 2);
    const big = letters.find((m) => header(m, 'ria.truncated') === 'true')!;
    expect(header(big, 'ria.value.bytes')).toBe(String(1 << 20));
    expect(big.value!.length).toBe(65_536);
    expect(header(big, 'ria.reason')).toMatch(/larger than 65536 bytes/);
    const nullKey = letters.find((m) => m.value?.toString() === '{"user_id": 5, "item_id": "SKU-1"}')!;
    expect(nullKey.key ?? null).toBeNull();
    expect(header(nullKey, 'ria.reason')).toMatch(/user_id/);
    rmSync(checkpoint, { recursive: true, force: true });
  });
});
