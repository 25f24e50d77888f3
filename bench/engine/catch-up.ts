/**
 * Catch-up throughput: preload the topic, start the engine, time until it has drained, closed
 * every window and flushed (`--exit-when-idle`), with 1 and 2 pool workers, exactness checked by
 * `ria verify` each time. Events/s = events in the topic / engine run time (start to exit, less
 * the idle timeout it waits to be sure the topic is drained). Beside each repeat, the floor:
 * librdkafka alone reading the same topic (kcat, bench/source/kcat-floor.ts); the engine's ratio
 * to it is the goal (≥ 0.6).
 */

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSummaryLine } from '../../engine/cli/engine-command.js';
import { ensureIndices } from '../../engine/setup/index-templates.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { median } from '../machine.js';
import { runKafkajsPeer } from '../peers/kafkajs-peer.js';
import { runSparkPeer, SPARK_VERSION } from '../peers/spark-peer.js';
import { hasKcat, kcatRead } from '../source/kcat-floor.js';
import { engineSummary, mustRun, preloadedTopic, resetIndices, runCli } from './run-cli.js';

const IDLE_MS = 500;

export async function catchUp(quick: boolean) {
  const events = quick ? 300_000 : 5_000_000;
  const repeats = quick ? 1 : 3;
  const { topic, truth, produced } = await preloadedTopic('ria-bench-catchup', events);
  const runs: (EngineSummaryLine & {
    workers: number;
    repeat: number;
    eventsPerSecond: number;
    exact: boolean;
  })[] = [];
  const floor: number[] = [];
  if (!hasKcat())
    process.stderr.write('bench: kcat is not installed (apt-get install kcat): no librdkafka floor\n');
  for (let r = 0; r < repeats; r++) {
    if (hasKcat()) floor.push(events / (await kcatRead(topic)).seconds);
    for (const workers of [1, 2]) {
      await resetIndices();
      const checkpoint = join(tmpdir(), `${topic}.ckpt.${workers}.${r}`);
      const out = await mustRun([
        'engine',
        '--kafka-topic',
        topic,
        '--checkpoint-dir',
        checkpoint,
        '--pool-size',
        String(workers),
        '--exit-when-idle',
        '--idle-timeout-ms',
        String(IDLE_MS),
        '--status-interval-ms',
        '0',
        '--dashboard-port',
        '0',
        '--consumer-group',
        `${topic}-${workers}-${r}`,
      ]);
      const s = engineSummary(out);
      const verified = await runCli(['verify', '--truth', truth]).done;
      rmSync(checkpoint, { recursive: true, force: true });
      runs.push({
        ...s,
        workers,
        repeat: r,
        eventsPerSecond: (s.valid + s.invalid) / Math.max(0.001, s.seconds - IDLE_MS / 1000),
        exact: verified.code === 0,
      });
    }
  }
  // The KafkaJS peer on the same topic, same indices, same truth.
  const es = createEsClient({ elasticsearchHost: process.env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200' });
  const peers: (Awaited<ReturnType<typeof runKafkajsPeer>> & { exact: boolean })[] = [];
  const sparkRuns: (Awaited<ReturnType<typeof runSparkPeer>> & { exact: boolean; differences: string })[] =
    [];
  try {
    for (let r = 0; r < (quick ? 1 : 2); r++) {
      await resetIndices();
      await ensureIndices(es);
      const p = await runKafkajsPeer(es, {
        broker: process.env.KAFKA_BROKER ?? '127.0.0.1:9092',
        topic,
        partitions: 6,
        expected: events,
        windowMs: 1000,
        allowedLatenessMs: 2000,
      });
      const verified = await runCli(['verify', '--truth', truth]).done;
      peers.push({ ...p, exact: verified.code === 0 });
    }
    // The Spark Structured Streaming peer (full runs: its first use installs PySpark, ~450 MB).
    if (!quick || process.env.RIA_BENCH_SPARK === '1') {
      await resetIndices();
      await ensureIndices(es);
      const checkpointDir = join(tmpdir(), `${topic}.spark`);
      const p = await runSparkPeer({
        broker: process.env.KAFKA_BROKER ?? '127.0.0.1:9092',
        topic,
        elasticsearchHost: process.env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200',
        checkpointDir,
      });
      rmSync(checkpointDir, { recursive: true, force: true });
      const verified = await runCli(['verify', '--truth', truth]).done;
      sparkRuns.push({ ...p, exact: verified.code === 0, differences: verified.out.slice(0, 500) });
    }
  } finally {
    await es.close();
  }
  const by = (w: number) => runs.filter((x) => x.workers === w).map((x) => x.eventsPerSecond);
  return {
    topic,
    events,
    producer: produced.trim(),
    runs,
    medianEventsPerSecond: { 1: median(by(1)), 2: median(by(2)) },
    librdkafkaFloor: floor.length
      ? {
          tool: 'kcat -C -e -f %o (librdkafka, no processing)',
          runs: floor,
          medianEventsPerSecond: median(floor),
          engineRatio: median(by(2)) / median(floor),
          goal: 0.6,
        }
      : undefined,
    kafkajsPeer: {
      runs: peers,
      medianEventsPerSecond: median(peers.map((p) => p.eventsPerSecond as number)),
      ratio: median(by(2)) / median(peers.map((p) => p.eventsPerSecond as number)),
    },
    sparkPeer: sparkRuns.length
      ? {
          version: SPARK_VERSION,
          runs: sparkRuns,
          medianEventsPerSecond: median(sparkRuns.map((p) => p.eventsPerSecond as number)),
          ratio: median(by(2)) / median(sparkRuns.map((p) => p.eventsPerSecond as number)),
        }
      : undefined,
    allExact: runs.every((x) => x.exact),
  };
}
