/** The results/README.md section of schemas-cost: Avro in, changelog topics out. */
import type { SuiteResult } from '../suites.js';

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

export function schemasSection(r: SuiteResult<'schemas-cost'>): string {
  const s = r.summary;
  const drains = (format: string, xs: typeof r.catchUp.json) =>
    xs
      .map(
        (x, i) =>
          `| ${format} | ${i + 1} | ${fmt(x.eventsPerSecond)} | ${x.cpuMicrosPerEvent.toFixed(2)} | ${x.exact} |`,
      )
      .join('\n');
  const steady = (setting: string, xs: typeof r.steady.without) =>
    xs
      .map(
        (x, i) =>
          `| ${setting} | ${i + 1} | ${x.cpuPercentOfCore.toFixed(1)} % | ${fmt(x.flushCycle.p99?.ms ?? Number.NaN)} | ${x.exact} |`,
      )
      .join('\n');
  const peer = (p: typeof r.kafkajs.json) =>
    `| ${p.system} | ${p.wholeSeconds.toFixed(1)} | ${p.cpuSeconds.toFixed(1)} | ${p.exact} |`;
  return `The same ${fmt(r.events)} producer events (one seed) preloaded as JSON and as Avro (Confluent wire format, the local Apicurio Registry), drained alternately by the engine, then by the KafkaJS peer; then 5,000 events/s without and with \`CHANGELOG_TOPICS\` (bench/cost/schemas-cost.ts). Medians: catch-up **${fmt(s.catchUpEventsPerSecond.json)}** events/s JSON, **${fmt(s.catchUpEventsPerSecond.avro)}** Avro (CPU per event ${s.catchUpCpuMicrosPerEvent.json.toFixed(2)} / ${s.catchUpCpuMicrosPerEvent.avro.toFixed(2)} µs); at 5,000/s **${s.steadyCpuPercentOfCore.without.toFixed(1)} %** of a core without, **${s.steadyCpuPercentOfCore.withChangelog.toFixed(1)} %** with the changelog topics (flush p99 ${fmt(s.flushP99Ms.without)} / ${fmt(s.flushP99Ms.withChangelog)} ms). Exact in every run: ${s.exact}.

| format | run | events/s | µs CPU per event | exact |
|---|---|---|---|---|
${drains('JSON', r.catchUp.json)}
${drains('Avro', r.catchUp.avro)}

| peer | whole run s | CPU s | exact |
|---|---|---|---|
${peer(r.kafkajs.json)}
${peer(r.kafkajs.avro)}

| engine at 5,000/s | run | CPU | flush p99 ms | exact |
|---|---|---|---|---|
${steady('without changelog topics', r.steady.without)}
${steady('CHANGELOG_TOPICS (JSON)', r.steady.withChangelog)}
`;
}
