/**
 * End to end: `ria produce` as fast as it goes into the real local broker (one JS thread making
 * and producing; librdkafka's own threads send). Median of several runs.
 */
import { loadOptions } from '../../engine/config/options.js';
import { producerOptions } from '../../engine/config/settings.js';
import { produce } from '../../engine/producer/producer.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { median } from '../machine.js';

export async function producerThroughput(quick: boolean) {
  const runs = quick ? 1 : 3;
  const count = quick ? 300_000 : 2_000_000;
  const base = loadOptions(producerOptions, [], process.env).config;
  const topic = `ria-bench-produce-${Date.now().toString(36)}`;
  await ensureTopics(base, [{ name: topic, partitions: 6 }]);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const s = await produce({ ...base, kafkaTopic: topic, rate: 0, count, quiet: true, truth: undefined });
    const cpu = process.cpuUsage(cpu0);
    results.push({
      eventsPerSecond: s.eventsPerSecond,
      mbPerSecond: s.mbPerSecond,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      seconds: s.seconds,
      failed: s.failed,
    });
  }
  return {
    topic,
    count,
    runs: results,
    medianEventsPerSecond: median(results.map((r) => r.eventsPerSecond)),
    medianMbPerSecond: median(results.map((r) => r.mbPerSecond)),
  };
}
