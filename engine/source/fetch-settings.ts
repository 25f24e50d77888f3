/**
 * The consumer's fetch settings, and the check that a user's librdkafka properties keep one
 * partition's batch under the batch call's Int32 limits.
 */
import { ConfigError } from '../errors/errors.js';

/**
 * A batch call packs one partition's messages into one segment whose value ends are Int32: the
 * prefetch queue (queued.max.messages.kbytes) plus one fetch (fetch.max.bytes) bounds a segment,
 * and must stay below 2 GiB, or the start stops naming them.
 */
export function checkFetchBudget(props: Record<string, string | number | boolean>): void {
  const queued = Number(props['queued.max.messages.kbytes'] ?? 65_536) * 1024;
  const fetch = Number(props['fetch.max.bytes'] ?? 52_428_800);
  if (queued + fetch >= 2 ** 31)
    throw new ConfigError(
      `invalid settings: librdkafka's queued.max.messages.kbytes (${queued / 1024}) and fetch.max.bytes (${fetch}) allow a batch of 2 GiB or more for one partition; keep queued.max.messages.kbytes × 1024 + fetch.max.bytes below 2147483648`,
    );
}

/**
 * Larger fetches per partition and a deeper prefetch: with the batch call the consumer takes
 * twice what librdkafka's defaults (1 MiB per partition per fetch, a round trip each; 100,000
 * messages queued) let through (results/source-consume.json). Prefetch stays capped at 64 MiB:
 * raising fetch.max.bytes as well cost about a GiB of RSS even at the seed's rate.
 */
export const FETCH_SETTINGS = {
  'max.partition.fetch.bytes': 8 * 1024 * 1024,
  // At a steady few thousand events/s the broker would answer each fetch as soon as one message
  // is there (fetch.min.bytes 1): hundreds of round trips a second, the librdkafka broker thread
  // the engine's largest CPU cost (results/engine-steady-cost.json). Waiting for 1 MiB or
  // fetch.wait.max.ms (100 ms) makes it ten a second; in catch-up a fetch fills at once anyway.
  'fetch.min.bytes': 1024 * 1024,
  'queued.min.messages': 1_000_000,
  'queued.max.messages.kbytes': 65_536,
  // Once a partition's prefetch queue is over those limits, librdkafka waits this long before it
  // fetches for the partition again — 1 s by default, during which the queue runs dry and every
  // thread waits: a catch-up left the machine idle about a third of the time in periodic stalls
  // (the per-thread timelines in results/engine-catch-up.json, before and after). At a steady
  // rate the limits are never reached, so a short backoff costs nothing there.
  'fetch.queue.backoff.ms': 10,
};
