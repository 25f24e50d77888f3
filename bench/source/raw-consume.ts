/**
 * The source stage alone: consuming a preloaded topic with no processing (messages counted and
 * dropped), node-rdkafka's own consume() (a JS object and Buffers per message) beside our
 * consumeBatch (flat segments per partition), with the engine's fetch settings, alternated in one
 * run. The engine cannot consume faster than this.
 */
import Kafka from 'node-rdkafka';
import { kafkaClientConfig } from '../../engine/config/kafka.js';
import { loadOptions } from '../../engine/config/options.js';
import { kafkaOptions } from '../../engine/config/settings.js';
import { FETCH_SETTINGS } from '../../engine/source/fetch-settings.js';
import { consumeBatch } from '../../engine/source/rdkafka-batch.js';
import { mustRun } from '../engine/run-cli.js';
import { median } from '../machine.js';

type Api = 'consume' | 'consumeBatch';

async function drain(cfg: ReturnType<typeof config>, topic: string, events: number, api: Api) {
  const c = new Kafka.KafkaConsumer(
    kafkaClientConfig(cfg, 'ria-bench', {
      'group.id': `${topic}-${api}-${Date.now()}`,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      ...FETCH_SETTINGS,
    }),
    {},
  );
  await new Promise<void>((r, j) => c.connect({}, (e) => (e ? j(e) : r())));
  c.assign([0, 1, 2, 3, 4, 5].map((partition) => ({ topic, partition, offset: 0 })));
  c.setDefaultConsumeTimeout(100);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (n < events) {
    if (api === 'consumeBatch') {
      const { segments } = await consumeBatch(c, 100, 10_000);
      for (const s of segments) n += s.count;
    } else {
      const b = await new Promise<Kafka.Message[]>((r, j) => c.consume(10_000, (e, m) => (e ? j(e) : r(m))));
      n += b.length;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise<void>((r) => c.disconnect(() => r()));
  return {
    api,
    events: n,
    seconds,
    eventsPerSecond: n / seconds,
    cpuUsPerEvent: (cpu.user + cpu.system) / n,
  };
}

function config() {
  return loadOptions(kafkaOptions, [], process.env).config;
}

export async function rawConsume(quick: boolean) {
  const events = quick ? 300_000 : 2_000_000;
  const repeats = quick ? 1 : 3;
  const cfg = config();
  const topic = `ria-bench-consume-${Date.now().toString(36)}`;
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  await mustRun(['produce', '--kafka-topic', topic, '--rate', '0', '--count', String(events), '--quiet']);
  const runs: Awaited<ReturnType<typeof drain>>[] = [];
  for (let r = 0; r < repeats; r++)
    for (const api of ['consume', 'consumeBatch'] as const) runs.push(await drain(cfg, topic, events, api));
  const of = (api: Api) => runs.filter((x) => x.api === api);
  const summary = (api: Api) => ({
    eventsPerSecond: median(of(api).map((x) => x.eventsPerSecond)),
    cpuUsPerEvent: median(of(api).map((x) => x.cpuUsPerEvent)),
  });
  const consume = summary('consume');
  const batch = summary('consumeBatch');
  return {
    events,
    runs,
    consume,
    consumeBatch: batch,
    speedup: batch.eventsPerSecond / consume.eventsPerSecond,
    // The figures results/README.md quotes (the engine's source is consumeBatch).
    eventsPerSecond: batch.eventsPerSecond,
    cpuUsPerEvent: batch.cpuUsPerEvent,
  };
}
