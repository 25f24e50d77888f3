/**
 * What Avro input and the changelog topics cost (issue 20, §6), in one run, alternating:
 *   - catch-up: the same producer events (same seed) preloaded as JSON and as Avro (Confluent wire
 *     format, the local registry), each drained by the engine — rate and CPU per event, exact;
 *     and the KafkaJS peer on both, Avro through @kafkajs/confluent-schema-registry;
 *   - 5,000 events/s: the engine without and with CHANGELOG_TOPICS (CPU, flush p99).
 * Needs `ria stack up` (Kafka, Elasticsearch, the registry).
 */
import { kafkajsRun } from '../engine/catch-up-peers.js';
import { preloadedTopic } from '../engine/run-cli.js';
import { median } from '../machine.js';
import { steadyCase } from './engine-steady-cost.js';
import { drain } from './funnel-cost.js';

const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

export async function schemasCost(quick: boolean) {
  process.env.SCHEMA_REGISTRY_URL = REGISTRY;
  const repeats = quick ? 1 : 3;
  const events = quick ? 300_000 : 5_000_000;
  // The same events (same seed): only the encoding differs.
  const json = await preloadedTopic('ria-bench-json', events, ['--seed', 'schemas-cost']);
  const avro = await preloadedTopic('ria-bench-avro', events, ['--seed', 'schemas-cost', '--format', 'avro']);
  const catchUp = {
    json: [] as Awaited<ReturnType<typeof drain>>[],
    avro: [] as Awaited<ReturnType<typeof drain>>[],
  };
  for (let r = 0; r < repeats; r++) {
    catchUp.json.push(await drain(json.topic, json.truth, undefined, `j${r}`));
    catchUp.avro.push(await drain(avro.topic, avro.truth, undefined, `a${r}`));
  }
  const kafkajs = {
    json: await kafkajsRun(json.topic, events, json.truth),
    avro: await kafkajsRun(avro.topic, events, avro.truth, REGISTRY),
  };
  const warmupS = quick ? 5 : 10;
  const windowS = quick ? 15 : 45;
  const steady = {
    without: [] as Awaited<ReturnType<typeof steadyCase>>[],
    withChangelog: [] as Awaited<ReturnType<typeof steadyCase>>[],
  };
  for (let r = 0; r < repeats; r++) {
    steady.without.push(await steadyCase(5000, 10_000, warmupS, windowS));
    steady.withChangelog.push(await steadyCase(5000, 10_000, warmupS, windowS, ['--changelog-topics']));
  }
  const m = median;
  return {
    events,
    catchUp,
    kafkajs,
    steady,
    summary: {
      catchUpEventsPerSecond: {
        json: m(catchUp.json.map((x) => x.eventsPerSecond)),
        avro: m(catchUp.avro.map((x) => x.eventsPerSecond)),
      },
      catchUpCpuMicrosPerEvent: {
        json: m(catchUp.json.map((x) => x.cpuMicrosPerEvent)),
        avro: m(catchUp.avro.map((x) => x.cpuMicrosPerEvent)),
      },
      kafkajsSeconds: { json: kafkajs.json.wholeSeconds, avro: kafkajs.avro.wholeSeconds },
      steadyCpuPercentOfCore: {
        without: m(steady.without.map((x) => x.cpuPercentOfCore)),
        withChangelog: m(steady.withChangelog.map((x) => x.cpuPercentOfCore)),
      },
      flushP99Ms: {
        without: m(steady.without.map((x) => x.flushCycle.p99?.ms ?? Number.NaN)),
        withChangelog: m(steady.withChangelog.map((x) => x.flushCycle.p99?.ms ?? Number.NaN)),
      },
      exact:
        [...catchUp.json, ...catchUp.avro].every((x) => x.exact) &&
        kafkajs.json.exact &&
        kafkajs.avro.exact &&
        [...steady.without, ...steady.withChangelog].every((x) => x.exact),
    },
  };
}
