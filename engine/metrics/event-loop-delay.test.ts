import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_DELAY_NAMES, registerEventLoopDelay } from './event-loop-delay.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const block = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};

async function scrape(registry: Registry): Promise<Map<string, string>> {
  const text = await registry.metrics();
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, value] = line.split(' ');
    values.set(name, value);
  }
  return values;
}

describe('event-loop delay gauges', () => {
  it('report the delay beyond the sampling period, and keep figures for a scrape that finds no sample', async () => {
    const registry = new Registry();
    registerEventLoopDelay(registry);
    await sleep(350);
    block(400);
    await sleep(250);
    const first = await scrape(registry);
    expect([...first.keys()].sort()).toEqual([...EVENT_LOOP_DELAY_NAMES].sort());
    // A loop blocked 400 ms is late by about 300 ms past a 100 ms period; an idle one by ~0.
    expect(Number(first.get('nodejs_eventloop_lag_max_seconds'))).toBeGreaterThan(0.2);
    expect(Number(first.get('nodejs_eventloop_lag_min_seconds'))).toBeLessThan(0.05);
    // At once again: no sample in between; the same figures, never NaN.
    const again = await scrape(registry);
    expect(again).toEqual(first);
    for (const v of again.values()) expect(Number.isFinite(Number(v))).toBe(true);
    // A new window after an idle while: the block is forgotten.
    await sleep(450);
    const idle = await scrape(registry);
    expect(Number(idle.get('nodejs_eventloop_lag_max_seconds'))).toBeLessThan(0.2);
  });
});
