/**
 * Every benchmark suite, with what it measures: `ria bench --help` lists them from here, `run.ts`
 * runs them, and `report.ts` reads each one's saved result with the type the suite returns
 * (SuiteResult), so a suite and its table cannot drift apart.
 */
import { costSideBySide } from './cost/cost-side-by-side.js';
import { engineSteadyCost } from './cost/engine-steady-cost.js';
import { funnelCost } from './cost/funnel-cost.js';
import { schemasCost } from './cost/schemas-cost.js';
import { catchUp } from './engine/catch-up.js';
import { fixedRate } from './engine/fixed-rate.js';
import { scaleOut } from './engine/scale-out.js';
import type { Machine } from './machine.js';
import { poolScaling } from './pool/scaling.js';
import { eventMakerBench } from './producer/event-maker.bench.js';
import { producerThroughput } from './producer/throughput.js';
import { decodeBench } from './shared/decode.bench.js';
import { sinkBench } from './sink/sink.bench.js';
import { rawConsume } from './source/raw-consume.js';
import { stageCeilings } from './stages/stage-ceilings.js';
import { sessionMemory } from './window/session-memory.js';
import { stateBench } from './window/state.bench.js';
import { windowLag } from './window/window-lag.js';

export const SUITES = {
  'producer-micro': {
    run: eventMakerBench,
    about: 'making one event: the producer’s writer beside alternatives',
  },
  'producer-throughput': {
    run: producerThroughput,
    about:
      '`ria produce` as fast as it goes, on one core beside librdkafka alone, and how steadily --rate holds',
  },
  'decode-micro': {
    run: decodeBench,
    about: 'decoding one event: the byte scanner beside JSON.parse and msgpack',
  },
  'state-micro': {
    run: stateBench,
    about: 'the aggregate state: merging deltas, closing windows, memory per user',
  },
  'session-memory': {
    run: sessionMemory,
    about: 'open sessions: bytes per session with 1 M open, and the cost of closing them',
  },
  'window-lag': { run: windowLag, about: 'memory of open windows with one partition far behind' },
  'sink-micro': { run: sinkBench, about: 'building a bulk body and reading its answer' },
  'source-consume': {
    run: rawConsume,
    about: 'the source alone: node-rdkafka consume() beside our consumeBatch',
  },
  'pool-scaling': { run: poolScaling, about: 'the Piscina pool alone with 1 and 2 workers' },
  'engine-fixed-rate': {
    run: fixedRate,
    about: 'the seed’s experiment: 5,000 events/s end to end, latency and CPU',
  },
  'engine-catch-up': {
    run: catchUp,
    about: 'draining a preloaded topic, exact, beside librdkafka alone and the KafkaJS and Spark peers',
  },
  'engine-scale-out': { run: scaleOut, about: 'one engine beside two counters + the merger on one host' },
  'engine-steady-cost': {
    run: engineSteadyCost,
    about: 'CPU per event, document and flush at steady rates; latency',
  },
  'cost-side-by-side': {
    run: costSideBySide,
    about: 'the engine, the KafkaJS peer and Spark at 5,000 events/s',
  },
  'funnel-cost': {
    run: funnelCost,
    about: 'the funnel and sessions: this build beside the one before them, 5,000 events/s and catch-up',
  },
  'schemas-cost': {
    run: schemasCost,
    about:
      'Avro in and changelog topics out: catch-up of the same events as JSON and Avro (engine and KafkaJS), 5,000 events/s without and with CHANGELOG_TOPICS',
  },
  'stage-ceilings': { run: stageCeilings, about: 'each single-threaded stage’s events per CPU-second' },
} as const;

export type SuiteName = keyof typeof SUITES;

/** What a suite returns (and results/<suite>.json holds under `result`). */
export type SuiteResult<K extends SuiteName> = Awaited<ReturnType<(typeof SUITES)[K]['run']>>;

/** results/<suite>.json, one type per suite. */
export type Saved = {
  [K in SuiteName]: { suite: K; quick: boolean; machine: Machine; seconds: number; result: SuiteResult<K> };
}[SuiteName];

/** `ria bench --help`. */
export function suitesHelp(): string {
  const width = Math.max(...Object.keys(SUITES).map((n) => n.length));
  return `usage: ria bench [--quick] [suite...]   (npm run bench -- [--quick] [suite...])

Runs the suites named (all by default), writes results/<suite>.json and results/README.md.
--quick: a short run of each, to check they work (figures not comparable).

suites:
${Object.entries(SUITES)
  .map(([name, s]) => `  ${name.padEnd(width)}  ${s.about}`)
  .join('\n')}
`;
}
