/** `ria engine`: consume, aggregate, keep Elasticsearch exact. */
import { readFileSync } from 'node:fs';
import { checkEngineConfig, type EngineConfig } from '../config/engine-config.js';
import { describeOptions, loadOptions } from '../config/options.js';
import { checkpointDirOf, engineOptions } from '../config/settings.js';
import { type LiveEngine, type LivePage, startDashboard } from '../dashboard/server.js';
import { createEngine, type RoleSummary } from '../engine.js';
import { ConfigError } from '../errors/errors.js';
import { deltasTopic, mergerGroup } from '../shared/indices.js';
import { checkEsConnection, createEsClient } from '../sink/es-client.js';
import { type Command, wantsHelp } from './command.js';
import { stopOnSignals } from './graceful-stop.js';

const HELP = `usage: ria engine [--exit-when-idle] [options]

Reads the event topic from the checkpointed offsets, counts in event-time windows on every core,
and keeps interaction-agg_item, interaction-agg_user, interaction-agg_avg and
interaction-agg_category (the funnel per category) exact in Elasticsearch. SIGINT / SIGTERM: finish the current flush, checkpoint, commit, exit 0.

Scaled out over several hosts: \`--role counter\` on each (one consumer group, \`--instance-id\`
stable per host) and \`--role merger\` once, all with the same \`--consumer-group\`.

options:
`;

/** Percentiles of one latency histogram, in the summary line. */
export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

/** The machine-readable `engine-summary {…}` line a counter prints when it stops. */
export type CounterSummaryLine = RoleSummary & { role: 'counter'; cpuSeconds: number; maxRssMiB: number };

/** The same line of the engine and the merger (benchmarks read it). */
export type EngineSummaryLine = RoleSummary & {
  cpuSeconds: number;
  maxRssMiB: number;
  poolSize: number;
  batchUs: Percentiles;
  flushMs: Percentiles;
  endToEndMs: Percentiles;
};

/** Writes the summary line (one JSON object). */
function writeSummaryLine(line: EngineSummaryLine | CounterSummaryLine): void {
  process.stdout.write(`engine-summary ${JSON.stringify(line)}\n`);
}

/**
 * libuv's pool size is fixed when the process starts (bin/ria.js sizes it from SOURCE_CONSUMERS):
 * each consumer's batch call holds a pool thread, so an explicit UV_THREADPOOL_SIZE at or below the
 * consumers leaves nothing for file writes, DNS and commits. Said once, not fatal.
 */
function warnOfSmallThreadPool(config: EngineConfig): void {
  const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  if (pool <= config.sourceConsumers)
    process.stderr.write(
      `engine: WARNING: UV_THREADPOOL_SIZE=${pool} with SOURCE_CONSUMERS=${config.sourceConsumers}: each consumer's batch call holds a libuv thread, leaving none for file writes, DNS and commits; unset it (ria sizes it to ${Math.min(1024, 4 + config.sourceConsumers)}) or raise it\n`,
    );
}

/**
 * This process's peak RSS. Linux keeps getrusage's maxrss across fork and exec, so a child started
 * by a large parent (the benchmark runner) would report the parent's peak; /proc's VmHWM belongs to
 * this process's own memory map.
 */
function peakRssMiB(ru: NodeJS.ResourceUsage): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(ru.maxRSS / 1024);
}

/**
 * The HTTP side on DASHBOARD_HOST:DASHBOARD_PORT (0: none): /metrics, /healthz and /readyz for
 * every role, the live page too where there is one. Returns how to close it.
 */
async function serveHttp(
  config: EngineConfig,
  who: string,
  engine: LiveEngine,
  page: LivePage | undefined,
): Promise<() => Promise<void>> {
  if (config.dashboardPort === 0) return async () => {};
  const server = await startDashboard(engine, page, config.dashboardHost, config.dashboardPort).catch(
    (e: Error) => {
      throw new ConfigError(
        `cannot serve the dashboard on ${config.dashboardHost}:${config.dashboardPort} (DASHBOARD_HOST / DASHBOARD_PORT): ${e.message}`,
      );
    },
  );
  const where = `http://${config.dashboardHost}:${config.dashboardPort}`;
  process.stderr.write(
    page
      ? `${who}: dashboard on ${where}/ (metrics: /metrics)\n`
      : `${who}: ${where}/metrics, /healthz, /readyz\n`,
  );
  return async () => {
    server.closeAllConnections();
    server.close();
  };
}

/** A scaled-out counter: no Elasticsearch and no live page (the merger has them); metrics and probes. */
async function runCounter(config: EngineConfig): Promise<number> {
  const counter = createEngine(config);
  stopOnSignals('counter', 'finishing the current transaction', config.stopTimeoutMs, () => counter.stop());
  const close = await serveHttp(config, 'counter', counter, undefined);
  process.stderr.write(
    `counter: ${config.kafkaTopic} on ${config.kafkaBroker} (group ${config.consumerGroup}) → ${deltasTopic(config.kafkaTopic, config.consumerGroup)}; ${counter.poolSize} workers\n`,
  );
  const s = await counter.run().finally(close);
  const ru = process.resourceUsage();
  process.stdout.write(
    `counter: stopped after ${s.seconds.toFixed(1)} s: ${s.valid} valid (${s.late} late), ${s.invalid} invalid, ${s.flushes} transactions, ${s.rebalances} rebalances\n`,
  );
  writeSummaryLine({
    ...s,
    role: 'counter',
    cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6,
    maxRssMiB: peakRssMiB(ru),
  });
  return 0;
}

export const engineCommand: Command = {
  summary: 'the engine: Kafka → windows on every core → exact Elasticsearch KPIs',
  async run(args, env) {
    if (wantsHelp(args)) {
      process.stdout.write(`${HELP}${describeOptions(engineOptions)}\n`);
      return 0;
    }
    const { config, rest } = loadOptions(engineOptions, args, env);
    if (rest.length)
      throw new ConfigError(`unexpected argument "${rest[0]}" (ria engine takes only options)`);
    checkEngineConfig(config);
    warnOfSmallThreadPool(config);
    if (config.role === 'counter') return runCounter(config);
    // Settings the flusher thread would use: checked here, so a mistake is one line, not a thread's crash.
    checkEsConnection(config);
    const engine = createEngine(config);
    stopOnSignals('engine', 'finishing the current flush', config.stopTimeoutMs, () => engine.stop());
    process.stderr.write(
      config.role === 'merger'
        ? `engine: merger of ${deltasTopic(config.kafkaTopic, config.consumerGroup)} (group ${mergerGroup(config.consumerGroup)}) on ${config.kafkaBroker} → ${config.elasticsearchHost}; window ${config.windowMs} ms, lateness ${config.allowedLatenessMs} ms, checkpoint ${checkpointDirOf(config)}\n`
        : `engine: ${config.kafkaTopic} on ${config.kafkaBroker} → ${config.elasticsearchHost}; ${engine.poolSize} workers, window ${config.windowMs} ms, lateness ${config.allowedLatenessMs} ms, checkpoint ${checkpointDirOf(config)}; ${config.sourceConsumers} consumer(s), libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4}\n`,
    );
    const es = config.dashboardPort > 0 ? createEsClient(config) : undefined;
    const close = await serveHttp(config, 'engine', engine, es && { es, live: () => engine.live() });
    const s = await engine.run().finally(async () => {
      await close();
      await es?.close();
    });
    process.stdout.write(
      `engine: stopped after ${s.seconds.toFixed(1)} s: ${s.valid} valid (${s.late} late), ${s.invalid} invalid, ${s.flushes} flushes; ${engine.latencies.summary()}\n`,
    );
    // One machine-readable line for benchmarks and scripts.
    const ru = process.resourceUsage();
    const pct = (h: typeof engine.latencies.flushMs): Percentiles => ({
      p50: h.getValueAtPercentile(50),
      p99: h.getValueAtPercentile(99),
      max: h.maxValue,
    });
    writeSummaryLine({
      ...s,
      poolSize: engine.poolSize,
      cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6,
      maxRssMiB: peakRssMiB(ru),
      batchUs: pct(engine.latencies.batchUs),
      flushMs: pct(engine.latencies.flushMs),
      endToEndMs: pct(engine.latencies.endToEndMs),
    });
    return 0;
  },
};
