/**
 * Calls that ask the consumer group's coordinator (committed offsets, commits) meet the
 * coordinator moving or still loading — a fresh group, a broker restart — and librdkafka says so
 * with errors that only mean "ask again": those are retried with backoff for a bounded time;
 * any other error, or the time running out, is thrown.
 */
import Kafka from 'node-rdkafka';

const E = Kafka.CODES.ERRORS;
/** Coordinator errors that pass: it moved, is not known yet, or is loading the group. */
const COORDINATOR_RETRIABLE = new Set<number>([
  E.ERR_NOT_COORDINATOR, // 16
  E.ERR_COORDINATOR_NOT_AVAILABLE, // 15
  E.ERR_COORDINATOR_LOAD_IN_PROGRESS, // 14
  E.ERR__WAIT_COORD,
  E.ERR__TIMED_OUT,
]);

export function isCoordinatorRetriable(e: unknown): boolean {
  return COORDINATOR_RETRIABLE.has((e as { code?: number })?.code ?? Number.NaN);
}

/**
 * `call` until it succeeds, a non-retriable error, or `budgetMs`; `onRetry` hears each retried
 * error (a line, counted). `sleep` is injected by tests.
 */
export async function withCoordinatorRetry<T>(
  call: () => Promise<T>,
  onRetry: (e: Error, attempt: number) => void,
  budgetMs = 60_000,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => number = () => Date.now(),
): Promise<T> {
  const deadline = now() + budgetMs;
  for (let attempt = 1, backoff = 200; ; attempt++, backoff = Math.min(5000, backoff * 2)) {
    try {
      return await call();
    } catch (e) {
      if (!isCoordinatorRetriable(e) || now() + backoff > deadline) throw e;
      onRetry(e as Error, attempt);
      await sleep(backoff);
    }
  }
}
