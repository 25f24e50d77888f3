import { describe, expect, it } from 'vitest';
import { Idleness } from './idleness.js';

/** An Idleness on a clock the test moves by hand. */
function driven() {
  let t = 0;
  const idle = new Idleness(() => t);
  return { idle, advance: (ms: number) => (t += ms) };
}

describe('Idleness (injected clock)', () => {
  it('is idle only once caught up and quiet for idleMs', () => {
    const { idle, advance } = driven();
    idle.assigned(0);
    expect(idle.isIdle(0, 1000)).toBe(false);
    idle.caughtUp(0);
    advance(999);
    expect(idle.isIdle(0, 1000)).toBe(false);
    advance(1);
    expect(idle.isIdle(0, 1000)).toBe(true);
  });

  it('a message ends idleness; the quiet time counts again from the next end', () => {
    const { idle, advance } = driven();
    idle.assigned(0);
    idle.caughtUp(0);
    advance(5000);
    idle.message(0);
    expect(idle.isIdle(0, 1000)).toBe(false);
    idle.caughtUp(0);
    advance(500);
    idle.caughtUp(0); // a second marker does not restart the quiet time
    advance(500);
    expect(idle.isIdle(0, 1000)).toBe(true);
  });

  it('the broker lost: nothing is idle, whatever was caught up', () => {
    const { idle, advance } = driven();
    for (const p of [0, 1]) {
      idle.assigned(p);
      idle.caughtUp(p);
    }
    advance(2000);
    idle.brokerLost();
    expect(idle.isIdle(0, 1000) || idle.isIdle(1, 1000)).toBe(false);
  });

  it('asks for one confirmation at a time after idleMs without a marker, and acts on the answer', () => {
    const { idle, advance } = driven();
    idle.assigned(0);
    expect(idle.confirmationDue(0, 1000)).toBe(false);
    advance(1000);
    expect(idle.confirmationDue(0, 1000)).toBe(true);
    expect(idle.confirmationDue(0, 1000)).toBe(false); // one under way
    idle.confirmed(0, false); // behind: ask again after another idleMs
    advance(999);
    expect(idle.confirmationDue(0, 1000)).toBe(false);
    advance(1);
    expect(idle.confirmationDue(0, 1000)).toBe(true);
    idle.confirmed(0, undefined); // no answer: nothing changes, may ask again
    expect(idle.confirmationDue(0, 1000)).toBe(true);
    idle.confirmed(0, true);
    expect(idle.isIdle(0, 1000)).toBe(false);
    advance(1000);
    expect(idle.isIdle(0, 1000)).toBe(true);
  });

  it('knows nothing of partitions not assigned (or given back)', () => {
    const { idle, advance } = driven();
    idle.assigned(3);
    idle.caughtUp(3);
    advance(5000);
    idle.forgetAll();
    expect(idle.isIdle(3, 0)).toBe(false);
    expect(idle.confirmationDue(3, 0)).toBe(false);
  });
});
