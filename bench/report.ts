/** results/README.md: one table per suite, from the JSON files the suites wrote. */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Machine, readJson } from './machine.js';

interface Saved {
  suite: string;
  quick: boolean;
  machine: Machine;
  seconds: number;
  result: unknown;
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

function section(s: Saved): string {
  const head = `## ${s.suite}${s.quick ? ' (quick run)' : ''}\n\n${s.machine.cpu}, ${s.machine.cores} cores, ${s.machine.memoryGiB} GiB, Node ${s.machine.node}, librdkafka ${s.machine.librdkafka}; ${s.machine.date}\n\n`;
  if (s.suite === 'decode-micro') {
    const rows = s.result as { name: string; nsPerOp: number; opsPerSec: number }[];
    return `${head}| implementation | ns per event (median) | events/s on one core |\n|---|---|---|\n${rows.map((r) => `| ${r.name} | ${fmt(r.nsPerOp)} | ${fmt(r.opsPerSec)} |`).join('\n')}\n`;
  }
  if (s.suite === 'state-micro') {
    const r = s.result as {
      micro: { name: string; usPerOp: number }[];
      memory: { users: number; bytesPerUser: number; rssMiB: number };
    };
    return `${head}| operation | µs (median) |\n|---|---|\n${r.micro.map((m) => `| ${m.name} | ${m.usPerOp.toFixed(1)} |`).join('\n')}\n\nMemory: ${fmt(r.memory.users)} distinct users interned: **${r.memory.bytesPerUser.toFixed(1)} bytes per user** (heap + typed arrays), process RSS ${r.memory.rssMiB} MiB.\n`;
  }
  if (s.suite === 'pool-scaling') {
    const r = s.result as {
      batchEvents: number;
      batches: number;
      median: Record<string, number>;
      speedup: number;
    };
    return `${head}Pre-made batches of ${fmt(r.batchEvents)} producer events through the Piscina pool (decode, validate, lateness, count), no Kafka: 1 worker **${fmt(r.median[1])} events/s**, 2 workers **${fmt(r.median[2])} events/s** (×${r.speedup.toFixed(2)}; medians; ${r.batches} batches per run).\n`;
  }
  if (s.suite === 'source-consume') {
    const r = s.result as { events: number; eventsPerSecond: number; cpuUsPerEvent: number; seconds: number };
    return `${head}node-rdkafka alone, \`consume(10000)\` in a loop, messages dropped: **${fmt(r.eventsPerSecond)} events/s** (${fmt(r.events)} events in ${r.seconds.toFixed(1)} s), ${r.cpuUsPerEvent.toFixed(1)} µs of CPU per event (main thread + librdkafka's threads). This is the ceiling of the engine's source stage.\n`;
  }
  if (s.suite === 'producer-micro') {
    const rows = s.result as { name: string; nsPerOp: number; opsPerSec: number }[];
    return `${head}| implementation | ns per event (median) | events/s |\n|---|---|---|\n${rows.map((r) => `| ${r.name} | ${fmt(r.nsPerOp)} | ${fmt(r.opsPerSec)} |`).join('\n')}\n`;
  }
  if (s.suite === 'producer-throughput') {
    const r = s.result as {
      count: number;
      runs: { eventsPerSecond: number; mbPerSecond: number; cpuSeconds: number; seconds: number }[];
      medianEventsPerSecond: number;
      medianMbPerSecond: number;
    };
    return `${head}\`ria produce --rate 0 --count ${r.count}\` into the local broker, 6 partitions, ${r.runs.length} runs: median **${fmt(r.medianEventsPerSecond)} events/s** (${r.medianMbPerSecond.toFixed(1)} MB/s).\n\n| run | events/s | MB/s | seconds | process CPU s |\n|---|---|---|---|---|\n${r.runs.map((x, i) => `| ${i + 1} | ${fmt(x.eventsPerSecond)} | ${x.mbPerSecond.toFixed(1)} | ${x.seconds.toFixed(2)} | ${x.cpuSeconds.toFixed(2)} |`).join('\n')}\n`;
  }
  if (s.suite === 'engine-catch-up') {
    const r = s.result as {
      kafkajsPeer?: { medianEventsPerSecond: number; ratio: number; runs: { exact: boolean }[] };
      sparkPeer?: {
        version: string;
        medianEventsPerSecond: number;
        ratio: number;
        runs: { exact: boolean; seconds: number; secondsInQuery: number }[];
      };
      events: number;
      runs: {
        workers: number;
        repeat: number;
        eventsPerSecond: number;
        seconds: number;
        cpuSeconds: number;
        maxRssMiB: number;
        exact: boolean;
      }[];
      medianEventsPerSecond: Record<string, number>;
      allExact: boolean;
    };
    const peer = r.kafkajsPeer
      ? `\n\nPeer, same topic, same indices, same run: a single-threaded KafkaJS consumer with per-event JSON.parse and Maps (\`bench/peers/kafkajs-peer.ts\`): **${fmt(r.kafkajsPeer.medianEventsPerSecond)} events/s** (median of ${r.kafkajsPeer.runs.length}; verified exact: ${r.kafkajsPeer.runs.every((x) => x.exact)}); our engine with 2 workers / the peer = **×${r.kafkajsPeer.ratio.toFixed(2)}**.`
      : '';
    const sp = r.sparkPeer;
    const spark = sp
      ? `\n\nPeer: Spark Structured Streaming ${sp.version} (PySpark, \`local[*]\`, Kafka source from Maven Central, \`trigger(availableNow)\`, per-micro-batch counts merged by the driver, bulk upserts; \`bench/peers/spark/spark_peer.py\`): **${fmt(sp.medianEventsPerSecond)} events/s** including JVM and Spark start-up (${sp.runs.map((x) => `${x.seconds.toFixed(1)} s, of which ${x.secondsInQuery.toFixed(1)} s in the query`).join('; ')}; verified exact: ${sp.runs.every((x) => x.exact)}); our engine with 2 workers / Spark = **×${sp.ratio.toFixed(2)}**.`
      : '';
    return `${head}Topic preloaded with ${fmt(r.events)} events (6 partitions), \`ria engine --exit-when-idle\` until drained, windows closed and flushed; \`ria verify\` after each run: ${r.allExact ? '**exact every time**' : '**DIFFERENCES FOUND**'}.\n\n| workers | median events/s |\n|---|---|\n| 1 | ${fmt(r.medianEventsPerSecond[1])} |\n| 2 | ${fmt(r.medianEventsPerSecond[2])} |\n\n| run | workers | events/s | engine s | CPU s | max RSS MiB | exact |\n|---|---|---|---|---|---|---|\n${r.runs.map((x) => `| ${x.repeat + 1} | ${x.workers} | ${fmt(x.eventsPerSecond)} | ${x.seconds.toFixed(1)} | ${x.cpuSeconds.toFixed(1)} | ${x.maxRssMiB} | ${x.exact} |`).join('\n')}${peer}${spark}\n`;
  }
  if (s.suite === 'engine-fixed-rate') {
    const r = s.result as {
      rate: number;
      seconds: number;
      kafkaMBps: number;
      exact: boolean;
      engine: {
        cpuSeconds: number;
        maxRssMiB: number;
        seconds: number;
        flushMs: Record<string, number>;
        endToEndMs: Record<string, number>;
      };
    };
    const e = r.engine;
    return `${head}${fmt(r.rate)} events/s for ${r.seconds} s through the local Kafka and Elasticsearch (the seed's experiment; the seed reports a ~200 ms Spark micro-batch on 4 vCPU). Exact: ${r.exact}.\n\n| figure | p50 | p99 | max |\n|---|---|---|---|\n| flush cycle (checkpoint + bulk until acknowledged), ms | ${e.flushMs.p50} | ${e.flushMs.p99} | ${e.flushMs.max} |\n| event time → acknowledged by Elasticsearch, ms | ${e.endToEndMs.p50} | ${e.endToEndMs.p99} | ${e.endToEndMs.max} |\n\nKafka in: ${r.kafkaMBps} MB/s. Engine: ${((e.cpuSeconds / e.seconds) * 100).toFixed(0)} % of one core on average, max RSS ${e.maxRssMiB} MiB.\n`;
  }
  return `${head}\`\`\`json\n${JSON.stringify(s.result, null, 2)}\n\`\`\`\n`;
}

export function writeResultsReadme(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const parts = files.map((f) => section(readJson<Saved>(join(dir, f), {} as Saved))).filter(Boolean);
  writeFileSync(
    join(dir, 'README.md'),
    `# Benchmark results\n\nWritten by \`npm run bench\` (\`ria bench [--quick] [suite…]\`); each section from \`results/<suite>.json\`.\n\n${parts.join('\n')}`,
  );
}
