/**
 * `ria produce` against the real broker: the rate holds, and the truth file equals the
 * aggregates recomputed from what a consumer reads back from the topic.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOptions } from '../../engine/config/options.js';
import { producerOptions } from '../../engine/config/producer-settings.js';
import { produce } from '../../engine/producer/producer.js';
import type { TruthFile } from '../../engine/producer/truth.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { validateEvent } from '../../engine/shared/event-reference.js';
import { DEFAULT_MAX_EVENT_TIME_MS, DEFAULT_MIN_EVENT_TIME_MS } from '../../engine/shared/event-rules.js';
import { consumeAll, messagesOf, requireServices, services, truthOfMessages, uniqueName } from './helpers.js';

function producerConfig(args: string[]) {
  return loadOptions(producerOptions, args, { KAFKA_BROKER: services.kafkaBroker }).config;
}

describe('ria produce (real broker)', () => {
  beforeAll(requireServices);

  it('sends exactly --count events, never faster than --rate', async () => {
    const topic = uniqueName('ria-rate');
    await ensureTopics(services, [{ name: topic, partitions: 3 }]);
    const truthPath = join(tmpdir(), `${topic}.json`);
    const s = await produce(
      producerConfig(['--kafka-topic', topic, '--rate', '5000', '--count', '30000', '--truth', truthPath]),
    );
    expect(s.failed).toBe(0);
    expect(s.delivered).toBe(s.sent);
    expect(s.sent).toBe(30_000);
    // Bound by events, not clocks: a busy machine may send slower, never faster. Any second of
    // event time (send time) holds at most the rate plus the token bucket's catch-up (100 ms worth).
    // How steadily the rate holds is a benchmark (producer-throughput: steadiness).
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as TruthFile;
    const perSecond = new Map<string, number>();
    for (const item of Object.values(truth.items)) {
      for (const [w, c] of Object.entries(item.windows)) perSecond.set(w, (perSecond.get(w) ?? 0) + c);
    }
    expect(perSecond.size).toBeGreaterThanOrEqual(6);
    for (const c of perSecond.values()) expect(c).toBeLessThanOrEqual(5000 * 1.1);
    expect(truth.events.valid).toBe(30_000);
  });

  it('writes a truth file equal to the aggregates of what the topic holds', async () => {
    const topic = uniqueName('ria-truth');
    await ensureTopics(services, [{ name: topic, partitions: 6 }]);
    const truthPath = join(tmpdir(), `${topic}.json`);
    const n = 60_000;
    const s = await produce(
      producerConfig([
        '--kafka-topic',
        topic,
        '--rate',
        '0',
        '--count',
        String(n),
        '--users',
        '3000',
        '--items',
        '500',
        '--out-of-order-share',
        '0.1',
        '--late-share',
        '0.02',
        '--invalid-share',
        '0.03',
        '--truth',
        truthPath,
        '--seed',
        'readback',
        // Short sessions: many close while the topic is written, the truth's session keys get tested.
        '--session-gap-ms',
        '20',
      ]),
    );
    expect(s.sent).toBe(n);
    expect(s.failed).toBe(0);
    const truth = JSON.parse(readFileSync(truthPath, 'utf8')) as TruthFile;
    expect(truth.events.valid + truth.events.invalid).toBe(n);
    expect(truth.events.invalid).toBeGreaterThan(n * 0.02);
    expect(truth.events.late).toBeGreaterThan(0);
    expect(truth.global.sessions).toBeGreaterThan(0);

    const messages = await messagesOf(topic, [truth]);
    // Keyed by user_id, as docs/contract.md says (the engine does not read the key).
    const range = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };
    for (const m of messages) {
      const v = validateEvent(m.value, 'json', range);
      if (v.ok) expect(m.key!.toString()).toBe(v.userId);
    }
    expect(truthOfMessages(topic, messages, [truth])).toEqual(truth);
  });

  it('makes the same events for the same seed (with a virtual clock)', async () => {
    const read = async (seed: string) => {
      const topic = uniqueName('ria-seed');
      await ensureTopics(services, [{ name: topic, partitions: 2 }]);
      await produce(
        producerConfig([
          '--kafka-topic',
          topic,
          '--rate',
          '0',
          '--count',
          '2000',
          '--seed',
          seed,
          '--start-time',
          '2026-01-01T00:00:00Z',
        ]),
      );
      const msgs = await consumeAll(topic, 2000);
      return msgs.map((m) => `${m.partition}:${m.offset}:${m.key}:${m.value}`).sort();
    };
    const a = await read('same');
    expect(a.length).toBe(2000);
    expect(await read('same')).toEqual(a);
    expect(await read('other')).not.toEqual(a);
  });
});
