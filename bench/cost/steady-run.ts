/**
 * One program (the engine or a peer) fed a steady rate: the topic is new, the program starts and
 * says it is ready, then `ria produce` sends `rate` events/s. After a warm-up a window opens; over
 * it the program's whole process tree's CPU is read from /proc, and a poller measures how far
 * Elasticsearch lags behind Kafka from outside, the same way for every program:
 * every POLL_MS it reads the global document's total_interactions (a realtime GET) and the topic's
 * end offsets; the lag of a reading is the time since Kafka first held more events than
 * Elasticsearch counts — the age of the oldest event not yet visible ("event → ES").
 */
import type { ChildProcess } from 'node:child_process';
import Kafka from 'node-rdkafka';
import { AVG_INDEX, GLOBAL_DOC_ID } from '../../engine/shared/indices.js';
import { runCli } from '../engine/run-cli.js';
import { median } from '../machine.js';
import { cpuDelta, threadCpu, treeCpuSeconds } from '../shared/process-cpu.js';

const POLL_MS = 50;
const ES = process.env.ELASTICSEARCH_HOST ?? 'http://127.0.0.1:9200';
const BROKER = process.env.KAFKA_BROKER ?? '127.0.0.1:9092';

export interface SteadyPlan {
  topic: string;
  rate: number;
  users: number;
  warmupS: number;
  windowS: number;
  /** Starts the program; resolves once it is ready to take traffic. */
  start: () => Promise<ChildProcess>;
  /** Read at the window's start and end (the engine's /metrics, say). */
  probe?: () => Promise<Record<string, number>>;
  truth?: string;
  /**
   * Whether the program shows every event once traffic stops (default yes; waited for after the
   * window). An event-time job whose totals come out of its windows (the Flink peer) does not: its
   * watermark stops with the traffic, so its last windows stay open.
   */
  catchesUpWhenIdle?: boolean;
}

export interface SteadyResult {
  rate: number;
  users: number;
  windowSeconds: number;
  /** Whole process tree, % of one core over the window. */
  cpuPercentOfCore: number;
  cpuMicrosPerEvent: number;
  /** CPU seconds per thread of the main process over the window (threads of one name summed). */
  threads: Record<string, number>;
  /** probe() at the end minus at the start. */
  probed: Record<string, number>;
  /** Elasticsearch behind Kafka, ms, over the window's readings. */
  eventToEs: { p50: number; p99: number; max: number; readings: number };
  /** The same through a search (what Kibana sees: after the index's refresh). */
  eventToSearchable: { p50: number; p99: number; max: number; readings: number };
  child: ChildProcess;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function esTotal(): Promise<number> {
  const r = await fetch(`${ES}/${AVG_INDEX}/_doc/${GLOBAL_DOC_ID}?realtime=true`);
  if (r.status === 404) return 0;
  const j = (await r.json()) as { _source?: { total_interactions?: number } };
  return j._source?.total_interactions ?? 0;
}

/** Polls Kafka's end offsets and Elasticsearch's total until `stop()`; returns the lags (ms). */
/**
 * The global total as a search sees it: what Kibana sees, after the index's refresh (the
 * templates' refresh_interval), where the realtime GET above sees it once written.
 */
async function searchableTotal(): Promise<number> {
  const r = await fetch(`${ES}/${AVG_INDEX}/_search?q=_id:${GLOBAL_DOC_ID}&size=1`);
  if (r.status === 404) return 0;
  const j = (await r.json()) as { hits?: { hits?: { _source?: { total_interactions?: number } }[] } };
  return j.hits?.hits?.[0]?._source?.total_interactions ?? 0;
}

function lagPoller(topic: string, partitions: number) {
  const consumer = new Kafka.KafkaConsumer(
    { 'metadata.broker.list': BROKER, 'group.id': `ria-bench-lag` },
    {},
  );
  const kafkaAt: { t: number; n: number }[] = [];
  const lags: number[] = [];
  const searchLags: number[] = [];
  let running = true;
  const ends = () =>
    Promise.all(
      Array.from(
        { length: partitions },
        (_, p) =>
          new Promise<number>((resolve, reject) =>
            consumer.queryWatermarkOffsets(topic, p, 5000, (e, o) => (e ? reject(e) : resolve(o.highOffset))),
          ),
      ),
    ).then((xs) => xs.reduce((a, b) => a + b, 0));
  const loop = (async () => {
    await new Promise<void>((resolve, reject) => consumer.connect({}, (e) => (e ? reject(e) : resolve())));
    while (running) {
      const t = performance.now();
      const [n, visible, searchable] = await Promise.all([ends(), esTotal(), searchableTotal()]);
      kafkaAt.push({ t, n });
      // The first reading at which Kafka held more than Elasticsearch shows: the oldest invisible event.
      const first = kafkaAt.find((k) => k.n > visible);
      lags.push(first ? performance.now() - first.t : 0);
      const firstUnsearchable = kafkaAt.find((k) => k.n > searchable);
      searchLags.push(firstUnsearchable ? performance.now() - firstUnsearchable.t : 0);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    consumer.disconnect();
  })();
  return {
    /** Readings taken in the first `ms` of polling. */
    readingsAt: (ms: number) => kafkaAt.filter((k) => k.t - (kafkaAt[0]?.t ?? 0) <= ms).length,
    caughtUp: async (timeoutMs: number) => {
      for (const t0 = performance.now(); performance.now() - t0 < timeoutMs; ) {
        if (lags.length > 0 && lags.at(-1) === 0 && kafkaAt.at(-1)!.n > 0) return;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      throw new Error('Elasticsearch did not catch up with Kafka within a minute');
    },
    stop: async () => {
      running = false;
      await loop;
      return { lags, searchLags };
    },
  };
}

export async function steadyRun(plan: SteadyPlan): Promise<SteadyResult> {
  const child = await plan.start();
  const producer = runCli([
    'produce',
    '--kafka-topic',
    plan.topic,
    '--rate',
    String(plan.rate),
    '--users',
    String(plan.users),
    '--duration',
    String(plan.warmupS + plan.windowS + 2),
    ...(plan.truth ? ['--truth', plan.truth] : []),
    '--quiet',
  ]);
  await new Promise((r) => setTimeout(r, plan.warmupS * 1000));
  const pid = child.pid!;
  const before = { cpu: treeCpuSeconds(pid), threads: threadCpu(pid), probe: (await plan.probe?.()) ?? {} };
  const t0 = performance.now();
  const poller = lagPoller(plan.topic, 6);
  await new Promise((r) => setTimeout(r, plan.windowS * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const after = { cpu: treeCpuSeconds(pid), threads: threadCpu(pid), probe: (await plan.probe?.()) ?? {} };
  const produced = await producer.done;
  if (produced.code !== 0) throw new Error(`the producer failed:\n${produced.out.slice(-2000)}`);
  // Caught up: Elasticsearch counts every event Kafka holds (the caller then stops the program).
  if (plan.catchesUpWhenIdle !== false) await poller.caughtUp(60_000);
  const read = await poller.stop();
  const inWindow = (xs: number[]) => xs.slice(0, poller.readingsAt(seconds * 1000)).sort((a, b) => a - b);
  const lags = inWindow(read.lags);
  const searchLags = inWindow(read.searchLags);
  const cpu = after.cpu - before.cpu;
  const probed = Object.fromEntries(
    Object.entries(after.probe).map(([k, v]) => [k, v - (before.probe[k] ?? 0)]),
  );
  return {
    rate: plan.rate,
    users: plan.users,
    windowSeconds: seconds,
    cpuPercentOfCore: (cpu / seconds) * 100,
    cpuMicrosPerEvent: (cpu / (seconds * plan.rate)) * 1e6,
    threads: cpuDelta(before.threads, after.threads),
    probed,
    eventToEs: {
      p50: Math.round(median(lags)),
      p99: Math.round(percentile(lags, 0.99)),
      max: Math.round(lags.at(-1) ?? Number.NaN),
      readings: lags.length,
    },
    eventToSearchable: {
      p50: Math.round(median(searchLags)),
      p99: Math.round(percentile(searchLags, 0.99)),
      max: Math.round(searchLags.at(-1) ?? Number.NaN),
      readings: searchLags.length,
    },
    child,
  };
}
