/**
 * A client with a wrong clock (issue "bad input and bad neighbours", point 2), through the real
 * Kafka and Elasticsearch: in a one-partition topic, 10,000 events, then one stamped a day ahead,
 * then 10,000 more continuing the first ones' times. The future event is dead-lettered (reason
 * future: more than MAX_EVENT_AHEAD_MS ahead of its Kafka record timestamp) and moves no
 * watermark, so no later event is late and every window is exact — also when the engine is
 * killed and replays from its checkpoint (the Kafka timestamp is part of the data: same decision).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TruthBuilder } from '../../engine/producer/truth.js';
import { AGG_INDICES, AVG_INDEX, GLOBAL_DOC_ID } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { verify } from '../../engine/verify/verify.js';
import { countDeadLetters, newTopic, produceMessages, requireServices, services } from './helpers.js';
import { riaEngine } from './run-ria.js';

const es = createEsClient(services);
const N = 10_000;
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an event from a wrong clock (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(() => es.close());

  it('is dead-lettered as future and moves no watermark: 0 late, exact windows, also after a kill and replay', async () => {
    const { topic, checkpoint } = await newTopic('ria-future', 1);
    // Event times a minute behind now, 2 ms apart: the records' Kafka timestamps (produce time) are after them.
    const t0 = Date.now() - 60_000;
    const timeOf = (i: number) => (i < N ? t0 + 2 * i : i === N ? Date.now() + DAY : t0 + 2 * (i - 1));
    const truth = new TruthBuilder(topic, 1, 1000, 2000);
    const events = Array.from({ length: 2 * N + 1 }, (_, i) => {
      const e = {
        user_id: `user-${i % 200}`,
        item_id: `item-${i % 50}`,
        timestamp: new Date(timeOf(i)).toISOString(),
      };
      if (i === N) truth.addInvalid();
      else truth.addValid(0, e.user_id, e.item_id, timeOf(i));
      return Buffer.from(JSON.stringify(e));
    });
    await produceMessages(topic, events.length, (i) => ({ value: events[i], partition: 0 }));

    // A live engine, killed once it has checkpointed; the next one replays from that checkpoint.
    const options = [
      '--dashboard-port',
      '0',
      '--status-interval-ms',
      '0',
      '--flush-interval-ms',
      '50',
      '--batch-size',
      '1000',
    ];
    const live = riaEngine(topic, checkpoint, ...options);
    const log = join(checkpoint, 'checkpoint.log');
    const deadline = Date.now() + 60_000;
    while (!(existsSync(log) && statSync(log).size > 0) && Date.now() < deadline) await sleep(20);
    live.child.kill('SIGKILL');
    await live.done;
    const replay = await riaEngine(
      topic,
      checkpoint,
      ...options,
      '--exit-when-idle',
      '--idle-timeout-ms',
      '1000',
    ).done;
    expect(replay.code, replay.out).toBe(0);

    const want = truth.result();
    expect(want.events.late).toBe(0);
    const r = await verify(es, want);
    expect(r.differences).toEqual([]);
    const global = (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }))._source as Record<string, number>;
    expect(global.late_events).toBe(0);
    expect(global.invalid_events).toBe(1);
    const dlq = await countDeadLetters(`${topic}.dlq`, 1, 30_000);
    expect(dlq.letters).toBe(1);
    expect(Object.keys(dlq.reasons)[0]).toMatch(/^future: event time more than 300000 ms ahead/);
    rmSync(checkpoint, { recursive: true, force: true });
  });
});
