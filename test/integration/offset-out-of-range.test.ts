/**
 * A checkpointed offset that is no longer in its partition: the topic deleted and recreated under
 * a running deployment's checkpoint (real Kafka). Before, librdkafka's auto.offset.reset=earliest
 * re-read the partitions from their start without a word (and consumer errors inside a batch were
 * dropped). Now the default stops the start with one line naming the partition, the checkpoint's
 * offset and the log's range; OFFSET_OUT_OF_RANGE=earliest reads on with a WARNING per partition.
 */
import { rmSync } from 'node:fs';
import Kafka from 'node-rdkafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../engine/setup/topics.js';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { messagesOf, newTopic, requireServices, services, truthOfMessages } from './helpers.js';
import { riaDrain, riaProduce } from './run-ria.js';

const es = createEsClient(services);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function deleteTopic(topic: string): Promise<void> {
  const admin = Kafka.AdminClient.create({ 'bootstrap.servers': services.kafkaBroker, ...services.rdkafka });
  try {
    await new Promise<void>((resolve, reject) =>
      admin.deleteTopic(topic, 30_000, (e) => (e ? reject(e) : resolve())),
    );
  } finally {
    admin.disconnect();
  }
}

/** The topic back, empty (a deletion takes a moment to finish on the broker). */
async function recreate(topic: string, partitions: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await ensureTopics(services, [{ name: topic, partitions }]);
      return;
    } catch (e) {
      if (attempt > 30) throw e;
      await sleep(1000);
    }
  }
}

describe('offsets out of range (real Kafka)', () => {
  beforeAll(async () => {
    await requireServices();
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(() => es.close());

  // Once in about five runs (2026-12-06) this test hung until its timeout, the step unknown (a run
  // with a log line per step did not hang in three): bounded to 150 s, and run again once then.
  it('stops with one line by default; OFFSET_OUT_OF_RANGE=earliest reads on, with a warning, exactly', {
    timeout: 150_000,
    retry: 1,
  }, async () => {
    const { topic, truth, checkpoint } = await newTopic('ria-oor', 3);
    const truth2 = `${truth}.after`;
    const produce = (count: number, t: string, seed: string) =>
      riaProduce(topic, '--rate', '0', '--count', String(count), '--seed', seed, '--truth', t).done;
    const engine = (...more: string[]) => riaDrain(topic, checkpoint, ...more).done;
    expect((await produce(3000, truth, 'a')).code).toBe(0);
    // The first topic's events, for the truth of both (read now, long before the topic goes).
    const before = await messagesOf(topic, [readTruth(truth)]);
    const first = await engine();
    expect(first.code, first.out).toBe(0);

    // The topic is deleted and recreated: the checkpoint's offsets (about 1,000 a partition) are past its end.
    await deleteTopic(topic);
    await recreate(topic, 3);
    expect((await produce(300, truth2, 'b')).code).toBe(0);

    const refused = await engine();
    expect(refused.code).not.toBe(0);
    const errors = refused.out.split('\n').filter((l) => l.startsWith('ria: error:'));
    expect(errors, refused.out.slice(-2000)).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `partition \\d of ${topic}: offset \\d+ \\(the checkpoint's next\\) is not in its log, which holds 0\\.\\.\\d+: .*OFFSET_OUT_OF_RANGE=earliest or latest`,
      ),
    );

    const readOn = await engine('--offset-out-of-range', 'earliest');
    expect(readOn.code, readOn.out.slice(-2000)).toBe(0);
    const warnings = readOn.out
      .split('\n')
      .filter((l) => l.includes('WARNING') && l.includes('reading on from offset 0, its start'));
    expect(warnings.length, readOn.out.slice(-2000)).toBeGreaterThanOrEqual(1);
    // The engine counted the first topic's events, then the second's: the truth of both, in that order.
    const after = await messagesOf(topic, [readTruth(truth2)]);
    const r = await verify(
      es,
      truthOfMessages(topic, [...before, ...after], [readTruth(truth), readTruth(truth2)]),
    );
    expect(r.differences).toEqual([]);
    for (const f of [checkpoint, truth, truth2]) rmSync(f, { recursive: true, force: true });
  });
});
