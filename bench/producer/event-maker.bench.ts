/**
 * Making one event's bytes: the byte writer the producer uses, beside the two obvious
 * alternatives (JSON.stringify of an object; a template string encoded with Buffer.from).
 */
import { Bench } from 'tinybench';
import { Catalog } from '../../engine/producer/catalog.js';
import { EventMaker } from '../../engine/producer/event-maker.js';
import { Random } from '../../engine/producer/random.js';
import { DEFAULT_FUNNEL, SessionSimulator } from '../../engine/producer/sessions.js';
import { ZipfSampler } from '../../engine/producer/zipf.js';

export async function eventMakerBench(quick: boolean) {
  const catalog = new Catalog(10_000, 2000, 'bench');
  const rng = new Random('bench');
  const sessions = new SessionSimulator(catalog, new ZipfSampler(2000, 1.1), DEFAULT_FUNNEL, rng, 1000, 3000);
  const maker = new EventMaker(catalog, sessions, rng, {
    format: 'json',
    timestampFormat: 'iso',
    mix: { outOfOrder: 0, late: 0, invalid: 0 },
    allowedLatenessMs: 2000,
    windowMs: 1000,
  });
  let t = Date.now();
  const bench = new Bench({ time: quick ? 300 : 1500 });
  bench
    .add('byte writer into a reused buffer (current)', () => {
      maker.make(t++);
    })
    .add('JSON.stringify of an object + Buffer.from', () => {
      const s = sessions.next();
      Buffer.from(
        JSON.stringify({
          event_id: crypto.randomUUID(),
          session_id: s.sessionId,
          user_id: catalog.userIds[s.user],
          item_id: catalog.itemIds[s.item],
          category: catalog.itemCategory[s.item],
          price_usd: catalog.itemPrice[s.item],
          interaction_type: s.type,
          timestamp: new Date(t++).toISOString(),
        }),
      );
    })
    .add('template string + Buffer.from', () => {
      const s = sessions.next();
      Buffer.from(
        `{"event_id":"${crypto.randomUUID()}","session_id":"${s.sessionId}","user_id":"${catalog.userIds[s.user]}","item_id":"${catalog.itemIds[s.item]}","category":"${catalog.itemCategory[s.item]}","price_usd":${catalog.itemPriceText[s.item]},"interaction_type":"${s.type}","timestamp":"${new Date(t++).toISOString()}"}`,
      );
    });
  await bench.run();
  return bench.tasks.map((task) => ({
    name: task.name,
    nsPerOp: task.result ? (task.result as { latency: { p50: number } }).latency.p50 * 1e6 : Number.NaN,
    opsPerSec: task.result ? (task.result as { throughput: { mean: number } }).throughput.mean : Number.NaN,
  }));
}
