/**
 * The dead-letter producer over a long run: invalid events arrive in bursts, and each burst starts
 * and stops its delivery-report polling. Many bursts must neither leak (node-rdkafka's
 * setPollInterval added a listener per call: a MaxListenersExceededWarning after ten bursts)
 * nor lose or double a letter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetters } from '../../engine/source/dead-letters.js';
import { countDeadLetters, newTopic, requireServices, services } from './helpers.js';

const BURSTS = 25;
const PER_BURST = 4;

describe('dead letters in bursts (real Kafka)', () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  beforeAll(async () => {
    await requireServices();
    process.on('warning', onWarning);
  });
  afterAll(() => {
    process.off('warning', onWarning);
  });

  it('sends every letter once over many bursts, with no warning', async () => {
    const { topic } = await newTopic('ria-dlq-bursts', 1);
    const letters = new DeadLetters(services, topic);
    await letters.start(0, {});
    let offset = 0;
    for (let b = 0; b < BURSTS; b++) {
      for (let i = 0; i < PER_BURST; i++)
        letters.send(
          { partition: 0, offset: offset++, key: null, value: Buffer.from(`not json ${offset}`) },
          'malformed JSON',
        );
      await letters.settle();
    }
    // Sent again after a "crash": already covered, not written twice.
    letters.send({ partition: 0, offset: 3, key: null, value: Buffer.from('again') }, 'malformed JSON');
    await letters.settle();
    expect(letters.endOffset).toBe(BURSTS * PER_BURST);
    await letters.close();
    // Node reports warnings on the next tick.
    await new Promise((r) => setImmediate(r));
    expect(warnings).toEqual([]);
    expect(await countDeadLetters(`${topic}.dlq`, BURSTS * PER_BURST, 30_000)).toEqual({
      letters: BURSTS * PER_BURST,
      duplicates: 0,
      reasons: { 'malformed JSON': BURSTS * PER_BURST },
    });
  });
});
