/**
 * The catch-up peers on the engine's topic, each timed like the engine: from process start to
 * exit (whole run), beside the time it reports for its job alone, its process tree's CPU, and
 * `ria verify --kpis counts` (the peers write the seed's three documents, not the funnel).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureIndices } from '../../engine/setup/index-templates.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { repoRoot } from '../machine.js';
import { FLINK_VERSION, runFlinkPeer } from '../peers/flink-peer.js';
import { timedRun } from '../peers/peer-process.js';
import { runSparkPeer, SPARK_VERSION, type SparkWrite } from '../peers/spark-peer.js';
import { resetIndices, runCli } from './run-cli.js';

/** One system's drain of the topic, timed the same way for every system. */
export interface SystemRun {
  system: string;
  /** Process start → exit, everything written. */
  wholeSeconds: number;
  /** What the system reports for its job alone (after its start-up). */
  inJobSeconds: number;
  /** CPU of its process tree (sampled every 200 ms: within about that of the total). */
  cpuSeconds: number;
  exact: boolean;
}

const BROKER = process.env.KAFKA_BROKER ?? '127.0.0.1:9092';
const ES = process.env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200';

/** No documents, and the indices as the engine makes them (templates and all). */
async function freshIndices(): Promise<void> {
  await resetIndices();
  const es = createEsClient({ elasticsearchHost: ES });
  try {
    await ensureIndices(es);
  } finally {
    await es.close();
  }
}

async function verified(truth: string): Promise<boolean> {
  return (await runCli(['verify', '--truth', truth, '--kpis', 'counts']).done).code === 0;
}

/** The KafkaJS peer (kafkajs-peer.ts) in its own process; with `registryUrl`, Avro through its registry client. */
export async function kafkajsRun(
  topic: string,
  events: number,
  truth: string,
  registryUrl?: string,
): Promise<SystemRun> {
  await freshIndices();
  const script = join(repoRoot(), 'dist', 'bench', 'peers', 'kafkajs-catch-up.js');
  const run = await timedRun(() =>
    spawn(
      process.execPath,
      [script, BROKER, topic, ES, '6', String(events), ...(registryUrl ? [registryUrl] : [])],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  );
  const { code, out } = run;
  const line = /^kafkajs-peer (.*)$/m.exec(out)?.[1];
  if (code !== 0 || !line) throw new Error(`the KafkaJS peer failed (exit ${code}):\n${out.slice(-2000)}`);
  const r = JSON.parse(line) as { seconds: number };
  return {
    system: registryUrl
      ? 'KafkaJS, one thread, Avro (@kafkajs/confluent-schema-registry)'
      : 'KafkaJS, one thread, JSON.parse',
    wholeSeconds: run.seconds,
    inJobSeconds: r.seconds,
    cpuSeconds: run.cpuSeconds,
    exact: await verified(truth),
  };
}

/** The Spark Structured Streaming peer, writing as the seed's job (`upsert`) or tuned (`index`). */
export async function sparkRun(topic: string, truth: string, write: SparkWrite): Promise<SystemRun> {
  await freshIndices();
  const checkpointDir = join(tmpdir(), `${topic}.spark.${write}`);
  const p = await runSparkPeer({ broker: BROKER, topic, elasticsearchHost: ES, checkpointDir, write });
  rmSync(checkpointDir, { recursive: true, force: true });
  return {
    system: `Spark ${SPARK_VERSION}, ${write === 'upsert' ? 'update + doc_as_upsert (as the seed)' : 'tuned: index whole documents'}`,
    wholeSeconds: p.seconds,
    inJobSeconds: p.secondsInQuery,
    cpuSeconds: p.cpuSeconds,
    exact: await verified(truth),
  };
}

/** The Flink peer (flink-peer.ts): a DataStream job in a local MiniCluster, parallelism 2. */
export async function flinkRun(topic: string, truth: string): Promise<SystemRun> {
  await freshIndices();
  const p = await runFlinkPeer({ broker: BROKER, topic, elasticsearchHost: ES });
  return {
    system: `Flink ${FLINK_VERSION}, MiniCluster, parallelism 2`,
    wholeSeconds: p.seconds,
    inJobSeconds: p.secondsInJob,
    cpuSeconds: p.cpuSeconds,
    exact: await verified(truth),
  };
}
