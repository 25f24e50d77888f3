import Kafka from 'node-rdkafka';
import { describe, expect, it } from 'vitest';
import { withCoordinatorRetry } from './group-retry.js';

const coordinatorError = (code: number) => Object.assign(new Error('Broker: Not coordinator'), { code });

describe('withCoordinatorRetry (injected clock)', () => {
  it('retries "not coordinator" and friends until the call succeeds, saying each', async () => {
    let t = 0;
    let calls = 0;
    const said: string[] = [];
    const r = await withCoordinatorRetry(
      async () => {
        calls++;
        if (calls <= 3)
          throw coordinatorError(
            calls === 1
              ? Kafka.CODES.ERRORS.ERR_NOT_COORDINATOR
              : Kafka.CODES.ERRORS.ERR_COORDINATOR_LOAD_IN_PROGRESS,
          );
        return 'committed offsets';
      },
      (e, n) => said.push(`${n}: ${e.message}`),
      60_000,
      async (ms) => {
        t += ms;
      },
      () => t,
    );
    expect(r).toBe('committed offsets');
    expect(said).toHaveLength(3);
    expect(t).toBe(200 + 400 + 800);
  });

  it('throws any other error at once, and a coordinator error once the budget is spent', async () => {
    let t = 0;
    const sleep = async (ms: number) => {
      t += ms;
    };
    await expect(
      withCoordinatorRetry(
        async () => Promise.reject(coordinatorError(Kafka.CODES.ERRORS.ERR_TOPIC_AUTHORIZATION_FAILED)),
        () => undefined,
        60_000,
        sleep,
        () => t,
      ),
    ).rejects.toMatchObject({ code: Kafka.CODES.ERRORS.ERR_TOPIC_AUTHORIZATION_FAILED });
    expect(t).toBe(0);
    await expect(
      withCoordinatorRetry(
        async () => Promise.reject(coordinatorError(Kafka.CODES.ERRORS.ERR_NOT_COORDINATOR)),
        () => undefined,
        10_000,
        sleep,
        () => t,
      ),
    ).rejects.toThrow('Not coordinator');
    expect(t).toBeLessThanOrEqual(10_000);
  });
});
