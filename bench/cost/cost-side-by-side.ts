/**
 * What each program costs at the seed's rate, one after another in one run: our engine (default
 * settings), the KafkaJS peer as a service (1 s flushes), the Spark peer as the seed ran it
 * (Structured Streaming, 1 s processing-time trigger) and the Flink peer unbounded (its sink
 * flushes on each checkpoint, every second), each fed 5,000 events/s over 10,000 users
 * on a new topic. Each one's whole process tree's CPU over the window, and Elasticsearch's lag
 * behind Kafka measured from outside the same way for all of them (steady-run.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, resetIndices } from '../engine/run-cli.js';
import { repoRoot } from '../machine.js';
import { FLINK_VERSION, startFlinkStreaming } from '../peers/flink-peer.js';
import { SPARK_VERSION, startSparkStreaming } from '../peers/spark-peer.js';
import { startEngine } from './engine-steady-cost.js';
import { steadyRun } from './steady-run.js';

const BROKER = process.env.KAFKA_BROKER ?? '127.0.0.1:9092';
const ES = process.env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200';

function startKafkajs(topic: string): Promise<ChildProcess> {
  const script = join(repoRoot(), 'dist', 'bench', 'peers', 'kafkajs-stream.js');
  const child = spawn(process.execPath, [script, BROKER, topic, ES, '1000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('kafkajs-peer: ready')) resolve(child);
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      reject(new Error(`the KafkaJS peer stopped (exit ${code}):\n${out.slice(-2000)}`)),
    );
  });
}

/** Stops a program and everything under it (Spark's JVM runs under its python driver). */
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export async function costSideBySide(quick: boolean) {
  const rate = 5000;
  const users = 10_000;
  const warmupS = quick ? 10 : 15;
  const windowS = quick ? 20 : 60;
  const programs: {
    name: string;
    start: (topic: string, dir: string) => Promise<ChildProcess>;
    catchesUpWhenIdle?: boolean;
  }[] = [
    { name: 'ria engine', start: async (topic, dir) => (await startEngine(topic, join(dir, 'ckpt'))).child },
    { name: 'KafkaJS peer (1 s flushes)', start: (topic) => startKafkajs(topic) },
    {
      name: `Spark ${SPARK_VERSION} Structured Streaming (1 s trigger)`,
      start: (topic, dir) =>
        startSparkStreaming({
          broker: BROKER,
          topic,
          elasticsearchHost: ES,
          checkpointDir: join(dir, 'spark'),
        }),
    },
    {
      name: `Flink ${FLINK_VERSION} (MiniCluster, parallelism 2, 1 s checkpoints)`,
      start: (topic) => startFlinkStreaming({ broker: BROKER, topic, elasticsearchHost: ES }),
      // Its totals come out of event-time windows: when traffic stops its watermark stops, and
      // the last windows stay open (the engine closes them on idleness).
      catchesUpWhenIdle: false,
    },
  ];
  const rows = [];
  for (const p of programs) {
    const topic = `ria-bench-cost-${Date.now().toString(36)}`;
    const dir = mkdtempSync(join(tmpdir(), 'ria-cost-'));
    await resetIndices();
    await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
    process.stderr.write(`bench: cost-side-by-side: ${p.name}\n`);
    const r = await steadyRun({
      topic,
      rate,
      users,
      warmupS,
      windowS,
      start: () => p.start(topic, dir),
      catchesUpWhenIdle: p.catchesUpWhenIdle,
    });
    await stop(r.child);
    rmSync(dir, { recursive: true, force: true });
    rows.push({
      program: p.name,
      cpuPercentOfCore: r.cpuPercentOfCore,
      cpuMicrosPerEvent: r.cpuMicrosPerEvent,
      eventToEs: r.eventToEs,
      windowSeconds: r.windowSeconds,
    });
  }
  const ours = rows[0].cpuPercentOfCore;
  return {
    rate,
    users,
    warmupSeconds: warmupS,
    rows: rows.map((r) => ({ ...r, cpuTimesOurs: r.cpuPercentOfCore / ours })),
  };
}
