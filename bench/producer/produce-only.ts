/**
 * The producer's floor: node-rdkafka + librdkafka alone, no event made. One chunk of real events
 * (the producer's own maker, keys and partitions) is made once and handed to produceBatch again
 * and again with the producer's librdkafka settings; what is left is the per-message cost of
 * enqueueing, batching, compressing and sending. Run as a child process (so it can be pinned to
 * a core): `node dist/bench/producer/produce-only.js <topic> <count>`; prints one JSON line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Kafka from 'node-rdkafka';
import { connectKafka } from '../../engine/config/kafka.js';
import { loadOptions } from '../../engine/config/options.js';
import { producerOptions } from '../../engine/config/producer-settings.js';
import { KeyArena, MessageChunk } from '../../engine/producer/message-chunk.js';
import { partitionForKey } from '../../engine/producer/partitioner.js';
import { producerClientConfig, trafficOf } from '../../engine/producer/producer.js';
import { produceBatch } from '../../engine/source/rdkafka-batch.js';

const CHUNK = 5000;

async function main(topic: string, count: number, partitions: number): Promise<void> {
  const cfg = { ...loadOptions(producerOptions, [], process.env).config, rate: 0, kafkaTopic: topic };
  const { catalog, maker } = trafficOf(cfg);
  const chunk = new MessageChunk(CHUNK, new KeyArena(catalog.userIds));
  const now = Date.now();
  for (let i = 0; i < CHUNK; i++) {
    const ev = maker.make(now + Math.floor(i / 300), chunk.writer);
    chunk.commit(partitionForKey(ev.key, partitions), ev.user);
  }
  const producer = new Kafka.Producer(producerClientConfig(cfg));
  let failed = 0;
  producer.on('delivery-report', (err) => {
    if (err) failed++;
  });
  await connectKafka(producer, cfg.kafkaBroker, 'producer');
  producer.setPollInterval(50);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let sent = 0; sent < count; sent += CHUNK) {
    let from = 0;
    while (from < CHUNK) {
      const { accepted } = produceBatch(producer, topic, chunk.contents, from, CHUNK);
      from += accepted;
      if (from < CHUNK) {
        producer.poll();
        await sleep(5);
      }
    }
    await new Promise((r) => setImmediate(r)); // as the producer: timers and reports get a turn
  }
  await new Promise<void>((resolve, reject) => producer.flush(120_000, (e) => (e ? reject(e) : resolve())));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  const sent = Math.ceil(count / CHUNK) * CHUNK;
  process.stdout.write(
    `${JSON.stringify({ sent, failed, seconds, eventsPerSecond: sent / seconds, cpuUsPerEvent: (cpu.user + cpu.system) / sent })}\n`,
  );
}

const [topic, count, partitions] = process.argv.slice(2);
main(topic, Number(count), Number(partitions ?? 6)).catch((e) => {
  process.stderr.write(`produce-only: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
