/**
 * Catch-up throughput: preload the topic, start the engine, time until it has drained, closed
 * every window and flushed (`--exit-when-idle`), with 1 and 2 pool workers, exactness checked by
 * `ria verify` each time. Events/s = events in the topic / engine run time (start to exit, less
 * the idle timeout it waits to be sure the topic is drained). Beside each repeat, the floor:
 * librdkafka alone reading the same topic (bench/source/rdkafka-floor.ts); the engine's ratio to
 * it is the long-term goal (≥ 0.6). Each drain's per-thread timeline and the machine's busy share
 * (thread-timeline.ts); one more drain with librdkafka's default fetch.queue.backoff.ms shows the
 * stalls that setting removed (before / after).
 */

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSummaryLine } from '../../engine/cli/engine-command.js';
import { BASELINE_COMMIT, baselineRoot } from '../cost/funnel-cost.js';
import { median } from '../machine.js';
import { rdkafkaFloorBinary, rdkafkaFloorRead } from '../source/rdkafka-floor.js';
import { flinkRun, kafkajsRun, type SystemRun, sparkRun } from './catch-up-peers.js';
import { engineSummary, preloadedTopic, resetIndices, runCli } from './run-cli.js';
import { drainBusy, sampleThreads, type ThreadTimeline } from './thread-timeline.js';

const IDLE_MS = 500;

export async function catchUp(quick: boolean) {
  const events = quick ? 300_000 : 5_000_000;
  const repeats = quick ? 1 : 3;
  const { topic, truth, produced } = await preloadedTopic('ria-bench-catchup', events);
  // One drain by the engine (exactness checked), with its per-thread timeline.
  // `root`: another build's clone (the one before the funnel, whose truth format differs: unverified).
  const drain = async (workers: number, tag: string, extra: string[] = [], root?: string) => {
    await resetIndices();
    const checkpoint = join(tmpdir(), `${topic}.ckpt.${tag}`);
    const run = runCli(
      [
        'engine',
        '--kafka-topic',
        topic,
        '--checkpoint-dir',
        checkpoint,
        '--pool-size',
        String(workers),
        '--exit-when-idle',
        '--idle-timeout-ms',
        String(IDLE_MS),
        '--status-interval-ms',
        '0',
        '--dashboard-port',
        '0',
        '--consumer-group',
        `${topic}-${tag}`,
        ...extra,
      ],
      process.env,
      [],
      root,
    );
    const t0 = performance.now();
    const sampler = sampleThreads(run.child.pid!);
    const done = await run.done;
    const wholeSeconds = (performance.now() - t0) / 1000;
    const timeline = sampler.stop();
    rmSync(checkpoint, { recursive: true, force: true });
    if (done.code !== 0) throw new Error(`ria engine failed (${done.code}):\n${done.out.slice(-2000)}`);
    const s = engineSummary(done.out);
    const verified = root ? { code: 0 } : await runCli(['verify', '--truth', truth]).done;
    return {
      summary: s,
      wholeSeconds,
      timeline,
      machineBusy: drainBusy(timeline),
      eventsPerSecond: (s.valid + s.invalid) / Math.max(0.001, s.seconds - IDLE_MS / 1000),
      exact: verified.code === 0,
    };
  };
  const runs: (EngineSummaryLine & {
    workers: number;
    repeat: number;
    eventsPerSecond: number;
    wholeSeconds: number;
    machineBusy: number;
    exact: boolean;
  })[] = [];
  const floor: number[] = [];
  const floorBin = rdkafkaFloorBinary();
  let timelineAfter: ThreadTimeline | undefined;
  for (let r = 0; r < repeats; r++) {
    if (floorBin) floor.push(events / (await rdkafkaFloorRead(floorBin, topic)).seconds);
    for (const workers of [1, 2]) {
      const d = await drain(workers, `${workers}-${r}`);
      if (workers === 2 && r === 0) timelineAfter = d.timeline;
      runs.push({
        ...d.summary,
        workers,
        repeat: r,
        eventsPerSecond: d.eventsPerSecond,
        wholeSeconds: d.wholeSeconds,
        machineBusy: d.machineBusy,
        exact: d.exact,
      });
    }
  }
  // CPU per event against the build before the funnel and sessions (its goal: not above it), same
  // topic, same run (bench/cost/funnel-cost.ts builds it into the cache).
  const baselineCpu: number[] = [];
  if (!quick) {
    const root = baselineRoot();
    for (let r = 0; r < repeats; r++) {
      const d = await drain(2, `baseline-${r}`, [], root);
      baselineCpu.push((d.summary.cpuSeconds / (d.summary.valid + d.summary.invalid)) * 1e6);
    }
  }
  // Before: the same drain with librdkafka's own fetch.queue.backoff.ms (1 s; ours is in
  // engine/source/fetch-settings.ts) — the stalls the timeline shows.
  const before = await drain(2, 'before', ['--rdkafka', 'fetch.queue.backoff.ms=1000']);
  // Where else the stages could wait on each other: one drain with each of these changed (full runs).
  const KNOBS: [string, string[]][] = [
    ['MAX_INFLIGHT_BATCHES 32 (default 8)', ['--max-inflight-batches', '32']],
    ['BATCH_SIZE 8,192 (default 32,768)', ['--batch-size', '8192']],
    ['POOL_SIZE 3 (default: one per core)', ['--pool-size', '3']],
    ['SOURCE_CONSUMERS 2 (default 1)', ['--source-consumers', '2']],
  ];
  const knobs = [];
  for (const [setting, extra] of quick ? [] : KNOBS) {
    const d = await drain(2, `knob-${knobs.length}`, extra);
    knobs.push({
      setting,
      eventsPerSecond: d.eventsPerSecond,
      machineBusy: d.machineBusy,
      cpuMicrosPerEvent: (d.summary.cpuSeconds / (d.summary.valid + d.summary.invalid)) * 1e6,
      exact: d.exact,
    });
  }
  // The peers on the same topic, same indices, same truth, timed the same way (catch-up-peers.ts).
  const peerRuns: SystemRun[] = [];
  for (let r = 0; r < (quick ? 1 : 2); r++) peerRuns.push(await kafkajsRun(topic, events, truth));
  // Flink and Spark (full runs: their first use fetches ~120 MB and ~450 MB). Spark as the seed's
  // job, and tuned.
  if (!quick || process.env.RIA_BENCH_FLINK === '1')
    for (let r = 0; r < (quick ? 1 : 2); r++) peerRuns.push(await flinkRun(topic, truth));
  if (!quick || process.env.RIA_BENCH_SPARK === '1')
    for (const write of ['upsert', 'index'] as const) peerRuns.push(await sparkRun(topic, truth, write));
  const engineRuns: SystemRun[] = runs
    .filter((x) => x.workers === 2)
    .map((x) => ({
      system: 'ria engine, 2 workers',
      wholeSeconds: x.wholeSeconds,
      inJobSeconds: x.seconds,
      cpuSeconds: x.cpuSeconds,
      exact: x.exact,
    }));
  const systems = systemsTable([...engineRuns, ...peerRuns], events);
  const by = (w: number) => runs.filter((x) => x.workers === w).map((x) => x.eventsPerSecond);
  return {
    topic,
    events,
    producer: produced.trim(),
    runs,
    medianEventsPerSecond: { 1: median(by(1)), 2: median(by(2)) },
    /** The machine's busy share (vmstat us+sy) during each drain with 2 workers: median, and the goal. */
    machineBusy: { median: median(runs.filter((x) => x.workers === 2).map((x) => x.machineBusy)), goal: 0.9 },
    /** One drain each with a setting changed (the rest default), same topic, same run. */
    knobs,
    timelines: {
      before: {
        setting: 'fetch.queue.backoff.ms=1000 (librdkafka default)',
        eventsPerSecond: before.eventsPerSecond,
        machineBusy: before.machineBusy,
        exact: before.exact,
        timeline: before.timeline,
      },
      after: { setting: 'fetch.queue.backoff.ms=10 (ours)', timeline: timelineAfter },
    },
    librdkafkaFloor: floor.length
      ? {
          tool: 'librdkafka alone, no processing (bench/source/rdkafka-floor.c, as kcat -C -e), the engine’s fetch settings; start to exit',
          runs: floor,
          medianEventsPerSecond: median(floor),
          engineRatio: median(by(2)) / median(floor),
          goal: 0.6,
        }
      : undefined,
    /** µs of CPU per event, 2 workers, this build and the one before the funnel (BASELINE_COMMIT): medians. */
    cpuPerEvent: {
      now: median(
        runs.filter((x) => x.workers === 2).map((x) => (x.cpuSeconds / (x.valid + x.invalid)) * 1e6),
      ),
      beforeFunnel: baselineCpu.length ? median(baselineCpu) : undefined,
      baselineCommit: BASELINE_COMMIT,
    },
    /** Every system timed the same way: medians per system (catch-up-peers.ts). */
    systems,
    /** The engine's whole-run time over the Flink peer's (goal: at most half). */
    flinkRatio: ratioTo(systems, 'Flink'),
    systemRuns: [...engineRuns, ...peerRuns],
    allExact: runs.every((x) => x.exact) && before.exact && knobs.every((x) => x.exact),
    peersExact: peerRuns.every((x) => x.exact),
  };
}

/** Per system: the medians of its runs, and its whole-run rate; the engine's first. */
function systemsTable(all: SystemRun[], events: number) {
  const names = [...new Set(all.map((x) => x.system))];
  return names.map((system) => {
    const mine = all.filter((x) => x.system === system);
    const whole = median(mine.map((x) => x.wholeSeconds));
    return {
      system,
      runs: mine.length,
      wholeSeconds: whole,
      inJobSeconds: median(mine.map((x) => x.inJobSeconds)),
      cpuSeconds: median(mine.map((x) => x.cpuSeconds)),
      eventsPerSecondWhole: events / whole,
      exact: mine.every((x) => x.exact),
    };
  });
}

/** The engine's median whole-run time over the first system named `peer…`'s, with the goal (≤ 0.5). */
function ratioTo(systems: ReturnType<typeof systemsTable>, peer: string) {
  const p = systems.find((x) => x.system.startsWith(peer));
  return p ? { engineOverPeer: systems[0].wholeSeconds / p.wholeSeconds, goal: 0.5 } : undefined;
}
