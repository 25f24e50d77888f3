/**
 * Bad input at scale, through the real Kafka and Elasticsearch (issue "bad input and bad
 * neighbours"): a topic of 2,000,000 plain-text lines read at full speed must never stop the
 * engine — dead letters wait for room in librdkafka's queue (back-pressure) instead of failing
 * with "Queue full" — and the dead-letter topic must hold each line exactly once; the same through
 * a counter and the merger (dead letters in Kafka transactions); and half invalid events mixed
 * with valid ones stay exact.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import {
  countDeadLetters,
  newTopic,
  produceLines,
  requireServices,
  services,
  uniqueName,
} from './helpers.js';
import { ria, riaEngine } from './run-ria.js';

const es = createEsClient(services);
const LINES = 2_000_000;
const quiet = ['--status-interval-ms', '0', '--dashboard-port', '0'];

describe('bad input at scale (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(() => es.close());

  it('a single engine dead-letters 2,000,000 non-events exactly once and exits 0', async () => {
    const { topic, checkpoint } = await newTopic('ria-lines');
    await produceLines(topic, LINES, 6);
    const t0 = performance.now();
    const run = await riaEngine(topic, checkpoint, '--exit-when-idle', ...quiet).done;
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`engine: ${LINES} invalid messages in ${seconds.toFixed(1)} s\n`);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(new RegExp(`0 valid \\(0 late\\), ${LINES} invalid`));
    const dlq = await countDeadLetters(`${topic}.dlq`, LINES);
    expect(dlq).toEqual({ letters: LINES, duplicates: 0, reasons: { 'malformed JSON': LINES } });
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('a counter and the merger dead-letter 2,000,000 non-events exactly once (read committed) and exit 0', async () => {
    const { topic, checkpoint } = await newTopic('ria-lines-scaled');
    const group = uniqueName('ria-counters');
    await produceLines(topic, LINES, 6);
    const common = ['--kafka-topic', topic, '--consumer-group', group, '--exit-when-idle', ...quiet];
    const t0 = performance.now();
    const counter = ria(['engine', '--role', 'counter', '--instance-id', 'c1', ...common]).done;
    const merger = ria(['engine', '--role', 'merger', '--checkpoint-dir', checkpoint, ...common]).done;
    const [c, m] = await Promise.all([counter, merger]);
    process.stdout.write(
      `counter + merger: ${LINES} invalid messages in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    expect(c.code, c.out).toBe(0);
    expect(m.code, m.out).toBe(0);
    expect(c.out).toMatch(new RegExp(`0 valid \\(0 late\\), ${LINES} invalid`));
    const dlq = await countDeadLetters(`${topic}.dlq`, LINES);
    expect(dlq).toEqual({ letters: LINES, duplicates: 0, reasons: { 'malformed JSON': LINES } });
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('half invalid events among valid ones: exact, each invalid one dead-lettered once', async () => {
    const { topic, truth, checkpoint } = await newTopic('ria-half-invalid');
    const produced = await ria([
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      '200000',
      '--count',
      '400000',
      '--seed',
      topic,
      '--invalid-share',
      '0.5',
      '--truth',
      truth,
      '--quiet',
    ]).done;
    expect(produced.code, produced.out).toBe(0);
    const invalid = Number(/(\d+) invalid/.exec(produced.out)?.[1]);
    expect(invalid).toBeGreaterThan(150_000);
    const run = await riaEngine(topic, checkpoint, '--exit-when-idle', ...quiet).done;
    expect(run.code, run.out).toBe(0);
    const verified = await ria(['verify', '--truth', truth]).done;
    expect(verified.code, verified.out).toBe(0);
    const dlq = await countDeadLetters(`${topic}.dlq`, invalid);
    expect({ letters: dlq.letters, duplicates: dlq.duplicates }).toEqual({ letters: invalid, duplicates: 0 });
    rmSync(checkpoint, { recursive: true, force: true });
    rmSync(truth, { force: true });
  });
});
