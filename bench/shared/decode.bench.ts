/**
 * Decode + validate one event: the byte scanner the pool uses, beside the reference validator
 * (TextDecoder + JSON.parse + rules) and a plain JSON.parse + Date.parse.
 */
import { Bench } from 'tinybench';
import { validateEvent } from '../../engine/shared/event-reference.js';
import { ACCEPT, scanEvent } from '../../engine/shared/fast-decode.js';

export async function decodeBench(quick: boolean) {
  const events = Array.from({ length: 1024 }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        event_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        session_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        user_id: `user-${(i * 7919) % 10000}`,
        item_id: `SKU-${(i * 31) % 2000}`,
        category: 'electronics',
        price_usd: 19.9,
        interaction_type: 'view',
        timestamp: new Date(Date.UTC(2026, 10, 28) + i * 3).toISOString(),
      }),
    ),
  );
  const range = { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) };
  let i = 0;
  let sink = 0;
  const bench = new Bench({ time: quick ? 300 : 1500 });
  bench
    .add('byte scanner (current)', () => {
      const b = events[i++ & 1023];
      if (scanEvent(b, 0, b.length, range.minMs, range.maxMs) === ACCEPT) sink++;
    })
    .add('reference: TextDecoder + JSON.parse + rules', () => {
      if (validateEvent(events[i++ & 1023], 'json', range).ok) sink++;
    })
    .add('JSON.parse(toString()) + Date.parse, no checks', () => {
      const o = JSON.parse(events[i++ & 1023].toString());
      sink += Date.parse(o.timestamp) > 0 ? 1 : 0;
    });
  await bench.run();
  if (sink < 0) console.log(sink);
  return bench.tasks.map((t) => ({
    name: t.name,
    nsPerOp: (t.result as { latency: { p50: number } }).latency.p50 * 1e6,
    opsPerSec: (t.result as { throughput: { mean: number } }).throughput.mean,
  }));
}
