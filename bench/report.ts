/** results/README.md: one table per suite, from the JSON files the suites wrote. */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Bar, barChart, timelineChart } from './charts.js';
import { costSection, writeCostChart } from './cost/cost-report.js';
import type { ThreadTimeline } from './engine/thread-timeline.js';
import { readJson } from './machine.js';
import type { Soak } from './soak-minutes.js';
import type { Saved, SuiteName, SuiteResult } from './suites.js';
import { summaryMarkdown } from './summary.js';

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

function section(s: Saved): string {
  const head = `## ${s.suite}${s.quick ? ' (quick run)' : ''}\n\n${s.machine.cpu}, ${s.machine.cores} cores, ${s.machine.memoryGiB} GiB, Node ${s.machine.node}, librdkafka ${s.machine.librdkafka}; ${s.machine.date}\n\n`;
  const cost = costSection(s);
  if (cost) return head + cost;
  if (s.suite === 'decode-micro') {
    const rows = s.result;
    return `${head}| implementation | ns per event (median) | events/s on one core |\n|---|---|---|\n${rows.map((r) => `| ${r.name} | ${fmt(r.nsPerOp)} | ${fmt(r.opsPerSec)} |`).join('\n')}\n`;
  }
  if (s.suite === 'window-lag') {
    const rows = s.result;
    return `${head}One partition of six keeps delivering events ${rows[0]?.lagSeconds ?? 600} s of event time behind the others, over ${fmt(rows[0]?.items ?? 0)} items (all known): the windows in between stay open. The flusher's state driven directly, one child process per rate.\n\n| events/s | open windows (peak) | bytes in open windows (peak) | the same with dense windows only (the previous design) | peak RSS of the process |\n|---|---|---|---|---|\n${rows.map((r) => `| ${fmt(r.rate)} | ${r.peakOpenWindows} | ${fmt(r.windowMiB)} MiB | ${fmt(r.denseWindowMiB)} MiB | ${fmt(r.peakRssMiB)} MiB |`).join('\n')}\n`;
  }
  if (s.suite === 'session-memory') {
    const r = s.result;
    const mb = r.megabytes;
    return `${head}\`SessionState\` driven directly (bench/window/session-memory.ts): ${fmt(r.sessions)} sessions of UUID ids over 6 partitions, then the watermark passes half of them, then all (GC between readings: ${r.gcExposed}). **${fmt(r.bytesPerOpenSession)} bytes per open session** (the id's bytes in the keys' arena, its table slot and entry, its span's typed-array slot); memory held: ${fmt(mb.open)} MiB with all open, ${fmt(mb.halfClosed)} MiB with half closed, ${fmt(mb.allClosed)} MiB with none open (the slot and entry arrays keep their size for the next sessions; the arena is compacted once half of it is dead), ${fmt(mb.dropped)} MiB once the state is dropped. One close() scanning every open slot: ${r.closeMs.firstHalf.toFixed(1)} ms (closing ${fmt(r.closed.firstHalf)}), then ${r.closeMs.rest.toFixed(1)} ms (closing ${fmt(r.closed.rest)}); the engine scans only when some partition's watermark reached its earliest deadline.\n`;
  }
  if (s.suite === 'state-micro') {
    const r = s.result;
    return `${head}| operation | µs (median) |\n|---|---|\n${r.micro.map((m) => `| ${m.name} | ${m.usPerOp.toFixed(1)} |`).join('\n')}\n\nMemory: ${fmt(r.memory.users)} distinct users interned: **${r.memory.bytesPerUser.toFixed(1)} bytes per user** (heap + typed arrays), process RSS ${r.memory.rssMiB} MiB.\n`;
  }
  if (s.suite === 'sink-micro') {
    const r = s.result;
    return `${head}| operation | µs (median) |\n|---|---|\n${r.micro.map((m) => `| ${m.name} | ${fmt(m.usPerOp)} |`).join('\n')}\n\nBulk body size for the 6,000 documents: ${fmt(r.sizes.currentBytes)} bytes as index operations (current; the same ${fmt(r.sizes.clientSerializedBytes)} when the client serializes them), ${fmt(r.sizes.scriptedBytes)} as scripted updates.\n`;
  }
  if (s.suite === 'pool-scaling') {
    const r = s.result;
    return `${head}Pre-made batches of ${fmt(r.batchEvents)} producer events through the Piscina pool (decode, validate, lateness, count), no Kafka: 1 worker **${fmt(r.median[1])} events/s**, 2 workers **${fmt(r.median[2])} events/s** (×${r.speedup.toFixed(2)}; medians; ${r.batches} batches per run).\n`;
  }
  if (s.suite === 'source-consume') {
    const r = s.result;
    return `${head}The source alone on a topic of ${fmt(r.events)} events (6 partitions), messages counted and dropped, the engine's fetch settings, the two calls alternated: node-rdkafka's \`consume(10000)\` (a JS object and Buffers per message) **${fmt(r.consume.eventsPerSecond)} events/s**, ${r.consume.cpuUsPerEvent.toFixed(1)} µs CPU per event; our \`consumeBatch\` (flat segments per partition, \`scripts/node-rdkafka/batch.cc\`) **${fmt(r.consumeBatch.eventsPerSecond)} events/s**, ${r.consumeBatch.cpuUsPerEvent.toFixed(1)} µs CPU per event (×${r.speedup.toFixed(2)}; medians; CPU = main thread + librdkafka's threads). This is the ceiling of the engine's source stage.\n\n| run | call | events/s | µs CPU per event | seconds |\n|---|---|---|---|---|\n${r.runs.map((x, i) => `| ${Math.floor(i / 2) + 1} | ${x.api} | ${fmt(x.eventsPerSecond)} | ${x.cpuUsPerEvent.toFixed(2)} | ${x.seconds.toFixed(1)} |`).join('\n')}\n`;
  }
  if (s.suite === 'producer-micro') {
    const rows = s.result;
    return `${head}| implementation | ns per event (median) | events/s |\n|---|---|---|\n${rows.map((r) => `| ${r.name} | ${fmt(r.nsPerOp)} | ${fmt(r.opsPerSec)} |`).join('\n')}\n`;
  }
  if (s.suite === 'producer-throughput') {
    const r = s.result;
    const oc = r.oneCore;
    const oneCore =
      oc === undefined
        ? ''
        : 'skipped' in oc
          ? `\n\nOne core: not measured (${oc.skipped}).\n`
          : `\n\nOne core (the process and all its threads pinned to CPU 0 with \`taskset\`, the broker to the other CPUs), alternated: the producer **${fmt(oc.producer)} events/s**; librdkafka alone sending one pre-made chunk of the same events again and again (\`bench/producer/produce-only.ts\`, no event made) **${fmt(oc.librdkafkaAlone)} events/s**, ${oc.librdkafkaCpuUsPerEvent.toFixed(2)} µs CPU per message — the ceiling of any producer on this core through node-rdkafka.\n\n| run | what | events/s | µs CPU per event |\n|---|---|---|---|\n${oc.runs.map((x, i) => `| ${Math.floor(i / 2) + 1} | ${x.what} | ${fmt(x.eventsPerSecond)} | ${x.cpuUsPerEvent === undefined ? '' : x.cpuUsPerEvent.toFixed(2)} |`).join('\n')}\n`;
    return `${head}\`ria produce --rate 0 --count ${r.count}\` into the local broker, 6 partitions, ${r.runs.length} runs: median **${fmt(r.medianEventsPerSecond)} events/s** (${r.medianMbPerSecond.toFixed(1)} MB/s).\n\n| run | events/s | MB/s | seconds | process CPU s |\n|---|---|---|---|---|\n${r.runs.map((x, i) => `| ${i + 1} | ${fmt(x.eventsPerSecond)} | ${x.mbPerSecond.toFixed(1)} | ${x.seconds.toFixed(2)} | ${x.cpuSeconds.toFixed(2)} |`).join('\n')}\n${oneCore}`;
  }
  if (s.suite === 'engine-scale-out') {
    const r = s.result;
    return `${head}Topic preloaded with ${fmt(r.events)} events (6 partitions), drained alternately by one engine and by two counters (one consumer group) + the merger, on the same 2 cores as the broker and Elasticsearch; wall time from start until every window is closed and flushed; \`ria verify\` after each run: ${r.allExact ? '**exact every time**' : '**DIFFERENCES FOUND**'}. One engine **${fmt(r.oneEngine)} events/s**, scaled out on this one host **${fmt(r.scaledOut)} events/s** (×${(r.scaledOut / r.oneEngine).toFixed(2)}: the cost of the deltas topic and its transactions; scale-out pays with more hosts).\n\n| run | setup | events/s | seconds | exact |\n|---|---|---|---|---|\n${r.runs.map((x) => `| ${x.repeat + 1} | ${x.setup} | ${fmt(x.eventsPerSecond)} | ${x.seconds.toFixed(1)} | ${x.exact} |`).join('\n')}\n`;
  }
  if (s.suite === 'engine-catch-up') {
    const r = s.result;
    const pct = (x: number) => `${Math.round(x * 100)} %`;
    const floor = r.librdkafkaFloor
      ? ` librdkafka alone on the same topic (\`bench/source/rdkafka-floor.c\`, as \`kcat -C -e\`, start to exit): ${fmt(r.librdkafkaFloor.medianEventsPerSecond)} events/s; the engine with 2 workers at **×${r.librdkafkaFloor.engineRatio.toFixed(2)}** of it (long-term goal ×${r.librdkafkaFloor.goal}).`
      : '';
    const tl = r.timelines;
    const busy = r.machineBusy
      ? `\n\nThe machine during each drain with 2 workers (vmstat's us+sy from /proc/stat, Kafka and Elasticsearch included, from the first to the last interval a pool worker counted): median **${pct(r.machineBusy.median)} busy** (goal ≥ ${pct(r.machineBusy.goal)}).${tl ? ` Before (${tl.before.setting}, same topic, same run): ${pct(tl.before.machineBusy)} busy, ${fmt(tl.before.eventsPerSecond)} events/s, exact: ${tl.before.exact}. Per-thread timelines of both below (\`bench/engine/thread-timeline.ts\`).` : ''}`
      : '';
    const cpu = r.cpuPerEvent?.beforeFunnel
      ? `\n\nCPU per event, 2 workers, medians: this build **${r.cpuPerEvent.now.toFixed(2)} µs**; the build before the funnel and sessions (\`${r.cpuPerEvent.baselineCommit}\`, same topic, same run) ${r.cpuPerEvent.beforeFunnel.toFixed(2)} µs (goal: not above it).`
      : '';
    return `${head}Topic preloaded with ${fmt(r.events)} events (6 partitions), \`ria engine --exit-when-idle\` until drained, windows closed and flushed; \`ria verify\` after each run: ${r.allExact ? '**exact every time**' : '**DIFFERENCES FOUND**'}.${floor}${busy}${cpu}\n\n| workers | median events/s |\n|---|---|\n| 1 | ${fmt(r.medianEventsPerSecond[1])} |\n| 2 | ${fmt(r.medianEventsPerSecond[2])} |\n\n| run | workers | events/s | engine s | CPU s | µs CPU per event | machine busy | max RSS MiB | exact |\n|---|---|---|---|---|---|---|---|---|\n${r.runs.map((x) => `| ${x.repeat + 1} | ${x.workers} | ${fmt(x.eventsPerSecond)} | ${x.seconds.toFixed(1)} | ${x.cpuSeconds.toFixed(1)} | ${((x.cpuSeconds / (x.valid + x.invalid)) * 1e6).toFixed(2)} | ${x.machineBusy === undefined ? '' : pct(x.machineBusy)} | ${x.maxRssMiB} | ${x.exact} |`).join('\n')}${knobsTable(r)}${systemsTable(r)}${tl ? '\n\n![timeline](charts/catch-up-timeline.svg)' : ''}\n`;
  }
  if (s.suite === 'engine-fixed-rate') {
    const r = s.result;
    const e = r.engine;
    return `${head}${fmt(r.rate)} events/s for ${r.seconds} s through the local Kafka and Elasticsearch (the seed's experiment; the seed reports a ~200 ms Spark micro-batch on 4 vCPU). Exact: ${r.exact}.\n\n| figure | p50 | p99 | max |\n|---|---|---|---|\n| flush cycle (checkpoint + bulk until acknowledged), ms | ${e.flushMs.p50} | ${e.flushMs.p99} | ${e.flushMs.max} |\n| event time → acknowledged by Elasticsearch, ms | ${e.endToEndMs.p50} | ${e.endToEndMs.p99} | ${e.endToEndMs.max} |\n\nKafka in: ${r.kafkaMBps} MB/s. Engine: ${((e.cpuSeconds / e.seconds) * 100).toFixed(0)} % of one core on average, max RSS ${e.maxRssMiB} MiB.\n`;
  }
  return `${head}\`\`\`json\n${JSON.stringify(s.result, null, 2)}\n\`\`\`\n`;
}

/** The drains with one setting changed: does any stage wait on another that a setting could free? */
function knobsTable(r: SuiteResult<'engine-catch-up'>): string {
  if (!r.knobs?.length) return '';
  const median2 = r.medianEventsPerSecond[2];
  return `\n\nOne drain each with one setting changed (2 workers otherwise default), same topic, same run — where else a stage could wait on another:\n\n| setting | events/s | against the defaults' median | machine busy | µs CPU per event | exact |\n|---|---|---|---|---|---|\n${r.knobs.map((k) => `| ${k.setting} | ${fmt(k.eventsPerSecond)} | ×${(k.eventsPerSecond / median2).toFixed(2)} | ${Math.round(k.machineBusy * 100)} % | ${k.cpuMicrosPerEvent.toFixed(2)} | ${k.exact} |`).join('\n')}`;
}

/** Every system of a catch-up timed the same way (bench/engine/catch-up-peers.ts). */
function systemsTable(r: SuiteResult<'engine-catch-up'>): string {
  if (!r.systems) return '';
  const engine = r.systems[0];
  const rows = r.systems.map(
    (x) =>
      `| ${x.system} | ${x.wholeSeconds.toFixed(1)} | ${fmt(x.eventsPerSecondWhole)} | ${x.inJobSeconds.toFixed(1)} | ${x.cpuSeconds.toFixed(1)} | ×${(x.wholeSeconds / engine.wholeSeconds).toFixed(2)} | ${x.exact} |`,
  );
  const flink = r.flinkRatio
    ? ` The engine's whole run over the Flink peer's: **×${r.flinkRatio.engineOverPeer.toFixed(2)}** (goal ≤ ×${r.flinkRatio.goal}: ${r.flinkRatio.engineOverPeer <= r.flinkRatio.goal ? 'met' : 'not met'}).`
    : '';
  return `\n\nEvery system on the same topic in the same run, timed the same way: process start → exit with everything written (the engine's includes its ${'500 ms'} idle wait that tells it the topic is drained), beside the time each reports for its job alone and its process tree's CPU; medians. Peers write the seed's three documents and are verified with \`ria verify --kpis counts\` (\`bench/engine/catch-up-peers.ts\`).${flink}\n\n| system | whole run s | events/s (whole run) | in-job s | CPU s | time / engine's | exact |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}`;
}

function soakSection(r: Soak): string {
  const m = r.machine;
  return `## soak (\`npm run soak\`)\n\n${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; ${r.date}\n\n${fmt(r.settings.rate)} events/s asked for ${r.settings.minutes} minutes${r.settings.sessionGapMs ? ` with SESSION_GAP_MS ${fmt(r.settings.sessionGapMs)} (sessions then open and close in a steady state after the warm-up)` : ''} (the producer: ${r.producer.replace(/; truth in .*/, '')}), engine live. After a ${r.settings.warmupMinutes}-minute warm-up RSS went ${r.rssAfterWarmupMiB} → ${r.rssEndMiB} MiB (**${(r.rssGrowth * 100).toFixed(1)} %**); event→Elasticsearch p99 ${r.e2eP99EarlyMs} ms (minutes 3–5) → ${r.e2eP99LateMs} ms (last 3); exact: ${r.exact}. **${r.pass ? 'PASS' : 'FAIL'}**.\n\n![soak](charts/soak.svg)\n\n| minute | events/s | lag | RSS MiB | flush p99 ms | event→ES p50 / p99 / max ms |\n|---|---|---|---|---|---|\n${r.perMinute.map((x) => `| ${x.minute} | ${fmt(x.eventsPerSecond)} | ${fmt(x.lag)} | ${x.rssMiB} | ${x.flushP99} | ${x.e2eP50} / ${x.e2eP99} / ${x.e2eMax} |`).join('\n')}\n`;
}

/** The charts: throughput beside the peers, scaling, latency beside the seed's figure, the soak. */
/** A suite's saved result, with its type. */
function resultOf<K extends SuiteName>(saved: Map<string, Saved>, suite: K): SuiteResult<K> | undefined {
  const s = saved.get(suite);
  // The map is keyed by each file's own suite name: the entry under `suite` is that suite's.
  return s?.suite === suite ? (s.result as SuiteResult<K>) : undefined;
}

function writeCharts(dir: string, saved: Map<string, Saved>, soak: Soak | undefined): void {
  const out = join(dir, 'charts');
  mkdirSync(out, { recursive: true });
  const cu = resultOf(saved, 'engine-catch-up');
  if (cu) {
    const bars: Bar[] = (cu.systems ?? []).map((x) => ({
      label: x.system,
      value: x.eventsPerSecondWhole,
      kind: x.system.startsWith('ria') ? 'ours' : 'peer',
    }));
    writeFileSync(
      join(out, 'throughput.svg'),
      barChart('Catch-up: events/s, process start → everything written', 'ev/s', bars),
    );
    const t = cu.timelines;
    if (t?.after.timeline) {
      const rowsOf = (x: ThreadTimeline) => [{ name: 'machine (all cores)', busy: x.machine }, ...x.threads];
      writeFileSync(
        join(out, 'catch-up-timeline.svg'),
        timelineChart('Catch-up drain, 2 workers: who works and who waits', [
          {
            label: `before: ${t.before.setting}`,
            intervalMs: t.before.timeline.intervalMs,
            rows: rowsOf(t.before.timeline),
          },
          {
            label: `after: ${t.after.setting}`,
            intervalMs: t.after.timeline.intervalMs,
            rows: rowsOf(t.after.timeline),
          },
        ]),
      );
    }
  }
  const pool = resultOf(saved, 'pool-scaling');
  if (pool && cu) {
    writeFileSync(
      join(out, 'scaling.svg'),
      barChart('Scaling with pool size', 'ev/s', [
        { label: 'pool alone, 1 worker', value: pool.median[1] },
        { label: 'pool alone, 2 workers', value: pool.median[2] },
        { label: 'end to end (Kafka → ES), 1 worker', value: cu.medianEventsPerSecond[1] },
        { label: 'end to end (Kafka → ES), 2 workers', value: cu.medianEventsPerSecond[2] },
      ]),
    );
  }
  const fr = resultOf(saved, 'engine-fixed-rate');
  if (fr) {
    const e = fr.engine;
    writeFileSync(
      join(out, 'latency.svg'),
      barChart('Fixed rate 5,000 events/s: latency', 'ms', [
        { label: 'seed: Spark micro-batch (~200 ms, 4 vCPU)', value: 200, kind: 'reference' },
        { label: 'flush cycle p50', value: e.flushMs.p50 },
        { label: 'flush cycle p99', value: e.flushMs.p99 },
        { label: 'flush cycle max', value: e.flushMs.max },
        { label: 'event → acknowledged p50', value: e.endToEndMs.p50 },
        { label: 'event → acknowledged p99', value: e.endToEndMs.p99 },
        { label: 'event → acknowledged max', value: e.endToEndMs.max },
      ]),
    );
  }
  const cost = resultOf(saved, 'cost-side-by-side');
  if (cost) writeCostChart(out, cost);
  if (soak) {
    writeFileSync(
      join(out, 'soak.svg'),
      barChart(
        'Soak: event → Elasticsearch p99 per minute',
        'ms',
        soak.perMinute.map((x) => ({ label: `minute ${x.minute} (RSS ${x.rssMiB} MiB)`, value: x.e2eP99 })),
      ),
    );
  }
}

const CHART_OF: Record<string, string> = {
  'engine-catch-up': 'throughput',
  'pool-scaling': 'scaling',
  'engine-fixed-rate': 'latency',
  'cost-side-by-side': 'cost',
};

export function writeResultsReadme(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const saved = new Map<string, Saved>();
  let soak: Soak | undefined;
  for (const f of files) {
    // The files are ours, written by run.ts and soak.ts with these types: read back as such.
    const j = readJson<{ name?: string; suite?: string }>(join(dir, f), {});
    if (j.name === 'soak') soak = j as Soak;
    else if (j.suite) saved.set(j.suite, j as Saved);
  }
  writeCharts(dir, saved, soak);
  const parts = [...saved.values()].map((x) => {
    const chart = CHART_OF[x.suite];
    return chart && existsSync(join(dir, 'charts', `${chart}.svg`))
      ? `${section(x)}\n![${chart}](charts/${chart}.svg)\n`
      : section(x);
  });
  if (soak) parts.push(soakSection(soak));
  // The summary on top: goals and headlines, every figure from the results files (summary.ts).
  const summary = summaryMarkdown(saved, soak);
  writeFileSync(join(dir, 'summary.md'), summary);
  writeFileSync(
    join(dir, 'README.md'),
    `# Benchmark results\n\n${summary}\n## Tables\n\nWritten by \`npm run bench\` (\`ria bench [--quick] [suite…]\`); each section from \`results/<suite>.json\`, charts in \`results/charts/\`; the summary above is \`results/summary.md\`, generated from the same files.\n\n${parts.join('\n')}`,
  );
}
