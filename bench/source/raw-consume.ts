/**
 * The source stage alone: node-rdkafka consuming a preloaded topic with no processing at all
 * (messages counted and dropped). The engine cannot consume faster than this.
 */
import Kafka from 'node-rdkafka';
import { kafkaClientConfig } from '../../engine/config/kafka.js';
import { loadOptions } from '../../engine/config/options.js';
import { kafkaOptions } from '../../engine/config/settings.js';
import { mustRun } from '../engine/run-cli.js';

export async function rawConsume(quick: boolean) {
  const events = quick ? 300_000 : 2_000_000;
  const cfg = loadOptions(kafkaOptions, [], process.env).config;
  const topic = `ria-bench-consume-${Date.now().toString(36)}`;
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  await mustRun(['produce', '--kafka-topic', topic, '--rate', '0', '--count', String(events), '--quiet']);
  const c = new Kafka.KafkaConsumer(
    kafkaClientConfig(cfg, 'ria-bench', {
      'group.id': topic,
      'enable.auto.commit': false,
      'enable.partition.eof': true,
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
    const b = await new Promise<Kafka.Message[]>((r, j) => c.consume(10_000, (e, m) => (e ? j(e) : r(m))));
    n += b.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise<void>((r) => c.disconnect(() => r()));
  return {
    events: n,
    seconds,
    eventsPerSecond: n / seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    cpuUsPerEvent: (cpu.user + cpu.system) / n,
  };
}
