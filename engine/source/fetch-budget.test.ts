import { describe, expect, it } from 'vitest';
import { checkFetchBudget, FETCH_SETTINGS } from './fetch-settings.js';

describe('FETCH_SETTINGS', () => {
  // librdkafka's default (1,000 ms) left the machine idle in periodic stalls during a catch-up
  // (results/engine-catch-up.json, the timelines): the queue refills within a batch's time.
  it('refetches for a partition soon after its prefetch queue was full', () => {
    expect(FETCH_SETTINGS['fetch.queue.backoff.ms']).toBeLessThanOrEqual(50);
  });

  it("are the consumer's, and a user's librdkafka property still wins", async () => {
    const { kafkaClientConfig } = await import('../config/kafka.js');
    const conn = { kafkaBroker: '127.0.0.1:9092', rdkafka: {} };
    expect(kafkaClientConfig(conn, 'x', { ...FETCH_SETTINGS }, {})['fetch.queue.backoff.ms']).toBe(10);
    const mine = { ...conn, rdkafka: { 'fetch.queue.backoff.ms': '1000' } };
    expect(kafkaClientConfig(mine, 'x', { ...FETCH_SETTINGS }, {})['fetch.queue.backoff.ms']).toBe('1000');
  });
});

describe('checkFetchBudget', () => {
  it('our settings leave a batch far below 2 GiB', () => {
    expect(() => checkFetchBudget({ ...FETCH_SETTINGS })).not.toThrow();
  });

  it('a prefetch queue and fetch that could reach 2 GiB stop the start, naming both', () => {
    expect(() => checkFetchBudget({ ...FETCH_SETTINGS, 'queued.max.messages.kbytes': 2_097_151 })).toThrow(
      /queued\.max\.messages\.kbytes \(2097151\) and fetch\.max\.bytes \(52428800\)/,
    );
    expect(() =>
      checkFetchBudget({ ...FETCH_SETTINGS, 'fetch.max.bytes': 2 ** 31 - 65_536 * 1024 }),
    ).toThrow();
    expect(() =>
      checkFetchBudget({ ...FETCH_SETTINGS, 'fetch.max.bytes': 2 ** 31 - 65_536 * 1024 - 1 }),
    ).not.toThrow();
  });
});
