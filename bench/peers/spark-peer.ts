/**
 * Runs the Spark Structured Streaming peer (bench/peers/spark/spark_peer.py) on a preloaded topic:
 * PySpark from PyPI in a virtualenv and the Spark Kafka source from Maven Central, both cached
 * outside the repo (RIA_CACHE, default ~/.cache/ria) on first use. Timed from process start (JVM
 * and Spark start-up included, as a user would run it) until it has written everything.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot } from '../machine.js';
import { timedRun, untilReady } from './peer-process.js';

export const SPARK_VERSION = '4.2.0';
/** The jars of the Kafka source that PySpark does not ship. */
const KAFKA_JARS = [
  'spark-sql-kafka-0-10_',
  'spark-token-provider-kafka-0-10_',
  'kafka-clients-',
  'commons-pool2-',
];

function mustSpawn(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0)
    throw new Error(`${what} failed (${cmd} ${args.join(' ')}):\n${(r.stderr || r.stdout).slice(-2000)}`);
}

/** PySpark in a virtualenv and the Kafka source jars; returns the python to run and the jars. */
export function provisionSpark(): { python: string; jars: string[] } {
  const venv = join(cacheDir(), `spark-venv-${SPARK_VERSION}`);
  const python = join(venv, 'bin', 'python');
  const ok =
    existsSync(python) && spawnSync(python, ['-c', 'import pyspark'], { stdio: 'ignore' }).status === 0;
  if (!ok) {
    process.stderr.write(`bench: installing PySpark ${SPARK_VERSION} into ${venv} (about 450 MB, once)\n`);
    mustSpawn('python3', ['-m', 'venv', venv], 'creating the Spark virtualenv');
    mustSpawn(python, ['-m', 'pip', 'install', '-q', `pyspark==${SPARK_VERSION}`], 'pip install pyspark');
  }
  const jarDir = join(cacheDir(), `spark-kafka-${SPARK_VERSION}`);
  const have = existsSync(jarDir) ? readdirSync(jarDir) : [];
  if (!KAFKA_JARS.every((p) => have.some((f) => f.startsWith(p)))) {
    mkdirSync(jarDir, { recursive: true });
    mustSpawn(
      'mvn',
      [
        '-q',
        '-f',
        join(repoRoot(), 'bench', 'peers', 'spark', 'pom.xml'),
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${jarDir}`,
        `-Dspark.version=${SPARK_VERSION}`,
      ],
      'resolving the Spark Kafka source from Maven Central',
    );
  }
  const files = readdirSync(jarDir);
  const jars = KAFKA_JARS.map((p) => {
    const f = files.find((x) => x.startsWith(p) && x.endsWith('.jar'));
    if (!f) throw new Error(`Spark Kafka source: no ${p}*.jar in ${jarDir}`);
    return join(jarDir, f);
  });
  return { python, jars };
}

/** The Spark peer's process: python (the driver) and the JVM under it. */
function sparkProcess(
  opts: {
    broker: string;
    topic: string;
    elasticsearchHost: string;
    checkpointDir: string;
    write?: SparkWrite;
  },
  mode: 'available-now' | 'streaming',
) {
  const { python, jars } = provisionSpark();
  const script = join(repoRoot(), 'bench', 'peers', 'spark', 'spark_peer.py');
  const args = [
    script,
    opts.broker,
    opts.topic,
    opts.elasticsearchHost,
    opts.checkpointDir,
    mode,
    opts.write ?? 'upsert',
  ];
  return spawn(python, args, {
    env: {
      ...process.env,
      SPARK_LOCAL_IP: '127.0.0.1',
      PYSPARK_SUBMIT_ARGS: `--jars ${jars.join(',')} --driver-memory 2g pyspark-shell`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The Spark peer with a 1 s processing-time trigger, running until killed; resolves once its query started. */
export async function startSparkStreaming(opts: {
  broker: string;
  topic: string;
  elasticsearchHost: string;
  checkpointDir: string;
}): Promise<ChildProcess> {
  return untilReady(sparkProcess(opts, 'streaming'), 'spark-peer: streaming', 'the Spark peer');
}

/**
 * How the Spark peer writes: `upsert` (bulk `update` + `doc_as_upsert`, as the seed's job) or
 * `index` (whole documents, what a tuned job writes).
 */
export type SparkWrite = 'upsert' | 'index';

export async function runSparkPeer(opts: {
  broker: string;
  topic: string;
  elasticsearchHost: string;
  checkpointDir: string;
  write: SparkWrite;
}): Promise<{
  seconds: number;
  secondsInQuery: number;
  cpuSeconds: number;
  events: number;
  eventsPerSecond: number;
}> {
  provisionSpark(); // before the clock starts: the first run installs it
  const { code, out, seconds, cpuSeconds } = await timedRun(() => sparkProcess(opts, 'available-now'));
  const line = /\{"spark_peer": .*\}/.exec(out)?.[0];
  if (code !== 0 || !line) throw new Error(`the Spark peer failed (exit ${code}):\n${out.slice(-3000)}`);
  const r = JSON.parse(line).spark_peer as { events: number; seconds_in_query: number };
  return {
    seconds,
    secondsInQuery: r.seconds_in_query,
    cpuSeconds,
    events: r.events,
    eventsPerSecond: r.events / seconds,
  };
}
