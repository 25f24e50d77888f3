/**
 * The one loop with a scripted role and an injected clock: when it flushes, when it ends, what it
 * always does on the way out.
 */
import { describe, expect, it } from 'vitest';
import type { EngineConfig } from '../config/engine-config.js';
import type { Segment } from '../source/rdkafka-batch.js';
import { LoopParts } from './loop-parts.js';
import type { Role } from './role.js';
import { RoleLoop } from './role-loop.js';

interface Script {
  /** What flush() answers, call by call (then false). */
  flushAnswers?: boolean[];
  /** The batch call fails on this turn (1-based). */
  failOnTurn?: number;
  /** A flush is under way on these turns. */
  busyTurns?: number[];
  /** The loop is asked to stop on this turn (as a signal would). */
  stopOnTurn?: number;
}

function scripted(script: Script, cfg: Partial<EngineConfig>) {
  let t = 0;
  let loop: RoleLoop | undefined;
  let turn = 0;
  const calls: string[] = [];
  const answers = [...(script.flushAnswers ?? [])];
  const role: Role = {
    batches: {
      lastPollAt: 0,
      throwIfFailed: () => undefined,
      settle: async () => {
        calls.push('settle');
      },
      next: async (): Promise<Segment[]> => {
        turn++;
        t += 400; // each turn takes 400 ms of the loop's clock
        if (turn === script.failOnTurn) throw new Error('batch failed');
        if (turn === script.stopOnTurn) loop?.stop();
        // A turn never runs past 50 without an end: a broken loop fails here, not by running forever.
        if (turn > 50) throw new Error('the loop did not end');
        return [];
      },
    },
    source: { lag: () => new Map() },
    unflushed: 0,
    poolSize: 2,
    get flushing() {
      return (script.busyTurns ?? []).includes(turn);
    },
    start: async () => {
      calls.push('start');
    },
    beforeBatch: async () => undefined,
    process: () => {
      calls.push(`process@${turn}`);
    },
    flush: async () => {
      calls.push(`flush@${turn}`);
      return answers.shift() ?? false;
    },
    finish: async () => {
      calls.push('finish');
    },
    close: async () => {
      calls.push('close');
    },
  };
  const config = { flushIntervalMs: 1000, statusIntervalMs: 0, exitWhenIdle: false, ...cfg } as EngineConfig;
  const parts = new LoopParts(config, 'engine');
  loop = new RoleLoop(parts, role, () => t);
  return { loop, calls, parts };
}

describe('RoleLoop (scripted role, injected clock)', () => {
  it('flushes every FLUSH_INTERVAL_MS of its clock, not every turn', async () => {
    const { loop, calls } = scripted({ flushAnswers: [false, false, true] }, { exitWhenIdle: true });
    await loop.run();
    // 400 ms a turn, 1000 ms between flushes: turns 3, 6, 9.
    expect(calls.filter((c) => c.startsWith('flush'))).toEqual(['flush@3', 'flush@6', 'flush@9']);
  });

  it('--exit-when-idle: ends when a flush says everything is done, after the last flush', async () => {
    const { loop, calls, parts } = scripted({ flushAnswers: [true] }, { exitWhenIdle: true });
    await loop.run();
    expect(calls.slice(-3)).toEqual(['finish', 'settle', 'close']);
    expect(parts.health.restored).toBe(true);
  });

  it('without --exit-when-idle an idle answer does not end it; stop() does, with the last flush', async () => {
    const { loop, calls } = scripted({ flushAnswers: [true, true], stopOnTurn: 8 }, {});
    await loop.run();
    expect(calls.filter((c) => c.startsWith('flush'))).toEqual(['flush@3', 'flush@6']);
    expect(calls.slice(-3)).toEqual(['finish', 'settle', 'close']);
  });

  it('does not start a flush while one is under way', async () => {
    const { loop, calls } = scripted({ flushAnswers: [true], busyTurns: [3, 4] }, { exitWhenIdle: true });
    await loop.run();
    expect(calls.filter((c) => c.startsWith('flush'))).toEqual(['flush@5']);
  });

  it('a failure ends the loop without the last flush, and still settles and closes', async () => {
    const { loop, calls } = scripted({ failOnTurn: 2 }, {});
    await expect(loop.run()).rejects.toThrow('batch failed');
    expect(calls).not.toContain('finish');
    expect(calls.slice(-2)).toEqual(['settle', 'close']);
  });
});
