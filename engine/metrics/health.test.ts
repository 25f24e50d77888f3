import { describe, expect, it } from 'vitest';
import { Health } from './health.js';

function driven() {
  let t = 1000;
  return { health: new Health(() => t), advance: (ms: number) => (t += ms) };
}

describe('Health (injected clock)', () => {
  it('is not ready while restoring; ready once restored with nothing wrong', () => {
    const { health } = driven();
    expect(health.notReadyBecause()).toEqual(['restoring the checkpoint']);
    health.restored = true;
    expect(health.notReadyBecause()).toEqual([]);
  });

  it('back-pressure is a reason not to be ready, never a reason to be restarted', () => {
    const { health, advance } = driven();
    health.restored = true;
    health.paused = 'paused: waiting for Elasticsearch to acknowledge a flush (300 batches unflushed)';
    advance(60_000);
    expect(health.notReadyBecause()).toEqual([health.paused]);
    expect(health.loopAgeMs()).toBe(60_000); // liveness reads the loop's age; waiting is not wedged
  });

  it('an Elasticsearch problem holds until a flush is acknowledged after it', () => {
    const { health, advance } = driven();
    health.restored = true;
    health.problem('elasticsearch', 'bulk request failed');
    expect(health.connections().elasticsearch).toBe(false);
    expect(health.notReadyBecause()).toEqual(['elasticsearch: bulk request failed']);
    advance(1);
    health.acknowledged();
    expect(health.connections().elasticsearch).toBe(true);
    expect(health.lastAckAgoMs()).toBe(0);
  });

  it('the broker counts as unreachable for 15 s after a loss with no message since', () => {
    const { health, advance } = driven();
    health.restored = true;
    health.problem('kafka', 'kafka: all brokers down');
    expect(health.connections().kafka).toBe(false);
    expect(health.notReadyBecause()).toEqual(['kafka broker unreachable: all brokers down']);
    advance(14_999);
    expect(health.connections().kafka).toBe(false);
    advance(1);
    expect(health.connections().kafka).toBe(true);
    health.problem('kafka', 'kafka: all brokers down');
    advance(1);
    health.polled(); // a message came: reachable again at once
    expect(health.connections().kafka).toBe(true);
  });

  it('the latest problem is the one shown', () => {
    const { health, advance } = driven();
    health.problem('kafka', 'kafka: first');
    advance(1);
    health.problem('elasticsearch', 'second');
    expect(health.problemMessage).toBe('second');
  });
});
