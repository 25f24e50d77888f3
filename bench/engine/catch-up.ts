/**
 * Catch-up throughput: preload the topic, start the engine, time until it has drained, closed
 * every window and flushed (`--exit-when-idle`), with 1 and 2 pool workers, exactness checked by
 * `ria verify` each time. Events/s = events in the topic / engine run time (start to exit, less
 * the idle timeout it waits to be sure the topic is drained). Beside each repeat, the floor:
 * librdkafka alone reading the same topic (bench/source/rdkafka-floor.ts); the engine's ratio to
 * it is the long-term goal (≥ 0.6). Each drain's per-thread timeline and the machine's busy share
 * (thread-timeline.ts); one more drain with librdkafka's default fetch.queue.backoff.ms shows the
 * stalls that setting removed (before / after).
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
import { rdkafkaFloorBinary, rdkafkaFloorRead } from '../source/rdkafka-floor.js';
import { engineSummary, preloadedTopic, resetIndices, runCli } from './run-cli.js';
import { drainBusy, sampleThreads, type ThreadTimeline } from './thread-timeline.js';

const IDLE_MS = 500;

export async function catchUp(quick: boolean) {
  const events = quick ? 300_000 : 5_000_000;
  const repeats = quick ? 1 : 3;
  const { topic, truth, produced } = await preloadedTopic('ria-bench-catchup', events);
  // One drain by the engine (exactness checked), with its per-thread timeline.
  const drain = async (workers: number, tag: string, extra: string[] = []) => {
    await resetIndices();
    const checkpoint = join(tmpdir(), `${topic}.ckpt.${tag}`);
    const run = runCli([
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
      `${topic}-${tag}`,
      ...extra,
    ]);
    const sampler = sampleThreads(run.child.pid!);
    const done = await run.done;
    const timeline = sampler.stop();
    rmSync(checkpoint, { recursive: true, force: true });
    if (done.code !== 0) throw new Error(`ria engine failed (${done.code}):\n${done.out.slice(-2000)}`);
    const s = engineSummary(done.out);
    const verified = await runCli(['verify', '--truth', truth]).done;
    return {
      summary: s,
      timeline,
      machineBusy: drainBusy(timeline),
      eventsPerSecond: (s.valid + s.invalid) / Math.max(0.001, s.seconds - IDLE_MS / 1000),
      exact: verified.code === 0,
    };
  };
  const runs: (EngineSummaryLine & {
    workers: number;
    repeat: number;
    eventsPerSecond: number;
    machineBusy: number;
    exact: boolean;
  })[] = [];
  const floor: number[] = [];
  const floorBin = rdkafkaFloorBinary();
  let timelineAfter: ThreadTimeline | undefined;
  for (let r = 0; r < repeats; r++) {
    if (floorBin) floor.push(events / (await rdkafkaFloorRead(floorBin, topic)).seconds);
    for (const workers of [1, 2]) {
      const d = await drain(workers, `${workers}-${r}`);
      if (workers === 2 && r === 0) timelineAfter = d.timeline;
      runs.push({
        ...d.summary,
        workers,
        repeat: r,
        eventsPerSecond: d.eventsPerSecond,
        machineBusy: d.machineBusy,
        exact: d.exact,
      });
    }
  }
  // Before: the same drain with librdkafka's own fetch.queue.backoff.ms (1 s; ours is in
  // engine/source/fetch-settings.ts) — the stalls the timeline shows.
  const before = await drain(2, 'before', ['--rdkafka', 'fetch.queue.backoff.ms=1000']);
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
      const verified = await runCli(['verify', '--truth', truth, '--kpis', 'counts']).done;
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
      const verified = await runCli(['verify', '--truth', truth, '--kpis', 'counts']).done;
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
    /** The machine's busy share (vmstat us+sy) during each drain with 2 workers: median, and the goal. */
    machineBusy: { median: median(runs.filter((x) => x.workers === 2).map((x) => x.machineBusy)), goal: 0.9 },
    timelines: {
      before: {
        setting: 'fetch.queue.backoff.ms=1000 (librdkafka default)',
        eventsPerSecond: before.eventsPerSecond,
        machineBusy: before.machineBusy,
        exact: before.exact,
        timeline: before.timeline,
      },
      after: { setting: 'fetch.queue.backoff.ms=10 (ours)', timeline: timelineAfter },
    },
    librdkafkaFloor: floor.length
      ? {
          tool: 'librdkafka alone, no processing (bench/source/rdkafka-floor.c, as kcat -C -e), the engine’s fetch settings; start to exit',
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
    allExact: runs.every((x) => x.exact) && before.exact,
  };
}
