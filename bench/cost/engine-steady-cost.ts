/**
 * The engine's cost at steady rates, default settings (issue goals: ≤ 5 % of a core at 5,000
 * events/s over 10,000 users, ≤ 25 % at 50,000 over 1,000,000; flush cycle p99 ≤ 60 ms and
 * event → ES p99 ≤ 1 s at 5,000). Whole process tree over a window after warm-up; CPU per event,
 * per document written and per flush from the engine's own counters over the same window; then a
 * shorter pass under `--cpu-prof` says where the CPU went, thread by thread.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, resetIndices, runCli } from '../engine/run-cli.js';
import { type CpuProfile, profileSummary } from './profile-summary.js';
import { histogramQuantile, scrape } from './prometheus-text.js';
import { steadyRun } from './steady-run.js';

const PORT = 18_081;

/** Starts `ria engine` on a new topic (defaults, plus `extra`); ready once /readyz answers 200. */
export async function startEngine(
  topic: string,
  checkpoint: string,
  extra: string[] = [],
  nodeArgs: string[] = [],
  root?: string,
): Promise<{ child: ChildProcess; done: Promise<{ code: number | null; out: string }> }> {
  const run = runCli(
    [
      'engine',
      '--kafka-topic',
      topic,
      '--checkpoint-dir',
      checkpoint,
      '--status-interval-ms',
      '0',
      '--dashboard-port',
      String(PORT),
      ...extra,
    ],
    process.env,
    nodeArgs,
    root,
  );
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return run;
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the engine did not get ready:\n${(await run.done).out.slice(-2000)}`);
}

/**
 * Caught up: once every partition has been quiet for IDLE_TIMEOUT_MS (2 s) the windows close; then
 * a graceful stop (SIGTERM) flushes, checkpoints and commits.
 */
async function stopWhenIdle(engine: Awaited<ReturnType<typeof startEngine>>) {
  await new Promise((r) => setTimeout(r, 3500));
  engine.child.kill('SIGTERM');
  return engine.done;
}

/** One steady case; `root`: another build's clone (funnel-cost.ts), whose output is not verified. */
export async function steadyCase(
  rate: number,
  users: number,
  warmupS: number,
  windowS: number,
  extra: string[] = [],
  root?: string,
) {
  const topic = `ria-bench-steady-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'ria-steady-'));
  const truth = join(dir, 'truth.json');
  await resetIndices();
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  let engine: Awaited<ReturnType<typeof startEngine>> | undefined;
  const r = await steadyRun({
    topic,
    rate,
    users,
    warmupS,
    windowS,
    truth,
    start: async () => {
      engine = await startEngine(topic, join(dir, 'ckpt'), extra, [], root);
      return engine.child;
    },
    probe: () => scrape(`http://127.0.0.1:${PORT}/metrics`),
  });
  const done = await stopWhenIdle(engine!);
  if (done.code !== 0) throw new Error(`engine failed:\n${done.out.slice(-2000)}`);
  // Another build reads its own truth format: the current producer's truth is checked by this build only.
  const verified = root ? { code: 0, out: '' } : await runCli(['verify', '--truth', truth]).done;
  if (verified.code !== 0) process.stderr.write(`bench: NOT EXACT:\n${verified.out.slice(-1500)}\n`);
  rmSync(dir, { recursive: true, force: true });
  const p = r.probed;
  const events = p['ria_events_total{outcome="valid"}'] ?? 0;
  const docs = p.ria_bulk_documents_total ?? 0;
  const flushes = p.ria_flushes_total ?? 0;
  const cpuSeconds = (r.cpuPercentOfCore / 100) * r.windowSeconds;
  const q = (name: string, quantile: number) => {
    const h = histogramQuantile(p, name, quantile);
    return h && { ms: Math.round(h.value * 1000), bucketMs: h.bucket.map((b) => b * 1000) };
  };
  return {
    rate,
    users,
    windowSeconds: r.windowSeconds,
    cpuPercentOfCore: r.cpuPercentOfCore,
    eventsPerSecond: events / r.windowSeconds,
    docsPerSecond: docs / r.windowSeconds,
    flushesPerSecond: flushes / r.windowSeconds,
    cpuMicrosPerEvent: (cpuSeconds / events) * 1e6,
    cpuMicrosPerDoc: (cpuSeconds / docs) * 1e6,
    cpuMillisPerFlush: (cpuSeconds / flushes) * 1e3,
    threads: r.threads,
    flushCycle: { p50: q('ria_flush_duration_seconds', 0.5), p99: q('ria_flush_duration_seconds', 0.99) },
    eventToAck: { p50: q('ria_event_to_ack_seconds', 0.5), p99: q('ria_event_to_ack_seconds', 0.99) },
    /**
     * Where event → acknowledged goes (engine/metrics/latency-breakdown.ts): until the engine took
     * the event's batch (producer linger, broker, fetch wait, batch linger), until the flush
     * covering it began (the flush interval, the pool), and the flush cycle (checkpoint + bulk).
     */
    breakdown: {
      eventToConsume: {
        p50: q('ria_event_to_consume_seconds', 0.5),
        p99: q('ria_event_to_consume_seconds', 0.99),
      },
      consumeToFlush: {
        p50: q('ria_consume_to_flush_seconds', 0.5),
        p99: q('ria_consume_to_flush_seconds', 0.99),
      },
      flushCycle: { p50: q('ria_flush_duration_seconds', 0.5), p99: q('ria_flush_duration_seconds', 0.99) },
    },
    eventToEsFromOutside: r.eventToEs,
    /** The same through a search: what Kibana sees, after the index refresh (refresh_interval). */
    eventToSearchable: r.eventToSearchable,
    exact: verified.code === 0,
  };
}

/** A 5,000 events/s pass under --cpu-prof (`root`: another build): each thread's profile. */
export async function profiledRun(
  windowS: number,
  extra: string[] = [],
  root?: string,
): Promise<CpuProfile[]> {
  const topic = `ria-bench-prof-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), 'ria-prof-'));
  await resetIndices();
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  let engine: Awaited<ReturnType<typeof startEngine>> | undefined;
  await steadyRun({
    topic,
    rate: 5000,
    users: 10_000,
    warmupS: 5,
    windowS,
    start: async () => {
      engine = await startEngine(
        topic,
        join(dir, 'ckpt'),
        extra,
        ['--cpu-prof', `--cpu-prof-dir=${dir}`],
        root,
      );
      return engine.child;
    },
  });
  await stopWhenIdle(engine!);
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const profiles = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
  rmSync(dir, { recursive: true, force: true });
  return profiles;
}

/** The top of each thread's profile at 5,000 events/s. */
async function profiled(windowS: number) {
  return (await profiledRun(windowS)).map((p) => profileSummary(p));
}

/** Settings that shorten event → Elasticsearch at a cost (the defaults: 100 ms fetch wait, 250 ms flushes). */
const LATENCY_LEVERS: [string, string[]][] = [
  ['fetch.wait.max.ms 20 (default 100)', ['--rdkafka', 'fetch.wait.max.ms=20']],
  ['FLUSH_INTERVAL_MS 100 (default 250)', ['--flush-interval-ms', '100']],
];

export async function engineSteadyCost(quick: boolean) {
  const warmupS = quick ? 5 : 10;
  const windowS = quick ? 15 : 60;
  // The floor: the same engine with (almost) no traffic, one event a second.
  const idle = await steadyCase(1, 10_000, warmupS, windowS);
  const seed = await steadyCase(5000, 10_000, warmupS, windowS);
  const large = await steadyCase(50_000, 1_000_000, warmupS, windowS);
  const profile = await profiled(quick ? 10 : 30);
  // The indices' periodic check (HEAL_INTERVAL_MS, 30 s by default) at the seed's rate, in the same
  // run: off, and every second (30 times the default's checks, so its cost shows above the noise).
  const healOff = await steadyCase(5000, 10_000, warmupS, windowS, ['--heal-interval-ms', '0']);
  const healEverySecond = await steadyCase(5000, 10_000, warmupS, windowS, ['--heal-interval-ms', '1000']);
  // The levers on latency at the seed's rate, same run: each is paid in CPU (the latency goal is
  // "while ≤ 5 % of a core").
  const levers = [];
  for (const [setting, extra] of LATENCY_LEVERS) {
    const c = await steadyCase(5000, 10_000, warmupS, windowS, extra);
    levers.push({ setting, ...c });
  }
  return {
    goals: {
      seedRateCpuPercent: 5,
      largeRateCpuPercent: 15,
      flushP99Ms: 60,
      eventToEsP99Ms: 400,
      largeRateEventToEsP99Ms: 700,
    },
    idle: { cpuPercentOfCore: idle.cpuPercentOfCore, threads: idle.threads, exact: idle.exact },
    seedRate: seed,
    largeRate: large,
    profile,
    levers,
    healCheck: {
      offCpuPercent: healOff.cpuPercentOfCore,
      defaultCpuPercent: seed.cpuPercentOfCore,
      everySecondCpuPercent: healEverySecond.cpuPercentOfCore,
      /** CPU of one check, from the every-second run against the run without (ms of one core). */
      msPerCheck: ((healEverySecond.cpuPercentOfCore - healOff.cpuPercentOfCore) / 100) * 1000,
      exact: healOff.exact && healEverySecond.exact,
    },
  };
}
