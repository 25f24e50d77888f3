/**
 * The role of the single engine and of the merger: it keeps the aggregates in Elasticsearch
 * through the flusher thread. Its input (pool-input.ts: Kafka events counted on the pool;
 * scale/merger-input.ts: the counters' records) turns batches into deltas; this role tracks the
 * cut, decides the watermark and back-pressure, sends a flush mark every FLUSH_INTERVAL_MS, and
 * commits a cut's offsets once the flusher has made it durable and Elasticsearch acknowledged it.
 */

import { ChangelogWriter } from '../changelog/changelog-writer.js';
import type { EngineConfig } from '../config/engine-config.js';
import { checkpointDirOf } from '../config/settings.js';
import { type Flushed, FlusherLink, flusherDataOf, type Restored } from '../flusher/flusher-link.js';
import type { Health } from '../metrics/health.js';
import { LatencyBreakdown } from '../metrics/latency-breakdown.js';
import type { Problems } from '../metrics/problems.js';
import type { BatchPool } from '../pool/batch-pool.js';
import { schemaCacheOf } from '../schema/schema-cache.js';
import type { BatchDelta, LiveCheck } from '../shared/messages.js';
import { BatchStream } from '../source/batch-stream.js';
import { CutTracker } from '../source/cut-tracker.js';
import type { Segment } from '../source/rdkafka-batch.js';
import type { Source } from '../source/source-group.js';
import type { LoopParts } from './loop-parts.js';
import type { Role } from './role.js';

/** The flusher may fall this many batches behind before consumption pauses (bounded memory). */
const MAX_UNFLUSHED_BATCHES = 256;

/** What a flush mark carries of the input's own output (the dead letters a cut covers). */
export interface InputMark {
  dlqEnd: number;
  dlqCovered: Record<number, number>;
}

/** What an input hands its batches' results to. */
export interface InputContext {
  /** The pool's batch stream (countBatch). */
  readonly batches: BatchStream;
  /** The cut's positions: the partition maxima to count with, the offsets a batch reached. */
  readonly cut: CutTracker;
  /** Each counted delta (to the flusher); `arrivedAt`: when its batch was taken from Kafka (wall clock, ms). */
  delta(d: BatchDelta, arrivedAt?: number): void;
  /** Once per batch or record the next flush covers. */
  applied(): void;
}

/** Where an aggregator's deltas come from: the engine's pool, or the merger's records. */
export interface AggregatorInput {
  readonly source: Source;
  readonly pool: BatchPool | undefined;
  /** After the checkpoint is restored, once connected, before partitions are taken. */
  start(restored: Restored): Promise<void>;
  /** One consume call's segments, their results handed to `ctx`. */
  process(segments: Segment[], ctx: InputContext): void;
  isIdle(p: number): boolean;
  /** Waits while the input's own output is backlogged (dead letters), saying why in `health`. */
  backPressure(health: Health): Promise<void>;
  /** Before a cut: the input's side effects acknowledged; what the mark records of them. */
  settle(problems: Problems): Promise<InputMark>;
  /** Whether --exit-when-idle may end the run now (the merger: its records reach the source's end). */
  mayExit(): Promise<boolean>;
  close(): Promise<void>;
}

export class Aggregator implements Role {
  readonly batches: BatchStream;
  readonly source: Source;
  private readonly flusher: FlusherLink;
  /** CHANGELOG_TOPICS: the flusher's documents also to Kafka (undefined: off). */
  private readonly changelog: ChangelogWriter | undefined;
  private readonly cut: CutTracker;
  private readonly ctx: InputContext;
  private inFlight: Promise<Flushed> | undefined;
  private lastDiscovery = 0;
  private lastFlush: { offsets: string; watermark: number } | undefined;
  unflushed = 0;
  private readonly breakdown: LatencyBreakdown;

  constructor(
    private readonly cfg: EngineConfig,
    private readonly parts: LoopParts,
    private readonly input: AggregatorInput,
  ) {
    this.source = input.source;
    this.cut = new CutTracker(cfg.allowedLatenessMs);
    const m = parts.metrics;
    this.breakdown = new LatencyBreakdown({
      eventToConsume: (ms) => m.eventToConsumeSeconds.observe(ms / 1000),
      consumeToFlush: (ms) => m.consumeToFlushSeconds.observe(ms / 1000),
    });
    this.batches = new BatchStream(
      this.source,
      input.pool,
      cfg,
      parts.problems,
      parts.health,
      input.pool && schemaCacheOf(cfg, parts.problems, parts.health),
    );
    this.changelog = cfg.changelogTopics ? new ChangelogWriter(cfg, parts.problems) : undefined;
    this.flusher = new FlusherLink(
      flusherDataOf(cfg),
      (m) => parts.problems.problem('elasticsearch', m),
      (refusals) => parts.problems.refused(refusals),
      (e) => this.batches.fail(e),
      (what, m) => parts.problems.repaired(what, m),
      this.changelog && ((version, records) => (this.changelog as ChangelogWriter).write(version, records)),
    );
    this.ctx = {
      batches: this.batches,
      cut: this.cut,
      delta: (d, arrivedAt) => {
        parts.counted(d);
        if (arrivedAt !== undefined) this.breakdown.consumed(arrivedAt, d.sampledTimes);
        this.flusher.delta(d);
      },
      applied: () => {
        this.unflushed++;
      },
    };
  }

  get poolSize(): number {
    return this.input.pool?.size ?? 0;
  }

  get flushing(): boolean {
    return this.inFlight !== undefined;
  }

  /** Restores the checkpoint, connects, and takes every partition at its checkpointed offset. */
  async start(): Promise<void> {
    const restored = await this.flusher.restored;
    this.parts.counts.invalid = restored.invalid;
    this.cut.restore(restored.offsets, restored.partitionMax);
    await this.source.connect();
    await this.input.start(restored);
    for (const p of await this.source.assignAll(restored.offsets)) this.cut.track(p);
    if (Object.keys(restored.offsets).length === 0 && (await this.source.hasCommits()))
      this.parts.problems.warn(
        `WARNING: no checkpoint in ${checkpointDirOf(this.cfg)}, but the consumer group has committed offsets of earlier work: rebuilding from the beginning of ${this.source.topic}`,
      );
    this.lastDiscovery = performance.now();
  }

  async beforeBatch(now: number): Promise<void> {
    await this.backPressure();
    if (now - this.lastDiscovery >= this.cfg.partitionDiscoveryMs) await this.discoverPartitions(now);
  }

  process(segments: Segment[]): void {
    this.input.process(segments, this.ctx);
  }

  async flush(): Promise<boolean> {
    const done = await this.flushAndCommit(false);
    return done && (await this.input.mayExit());
  }

  /** Graceful stop: everything consumed so far is flushed, checkpointed and committed. */
  async finish(): Promise<void> {
    await this.inFlight;
    await this.flushAndCommit(true);
  }

  verifyLive(): Promise<LiveCheck> {
    return this.flusher.verify();
  }

  async close(): Promise<void> {
    await this.flusher.stop();
    await this.changelog?.close();
    await Promise.allSettled([this.source.close(), this.input.close()]);
  }

  /** Partitions added to the topic while running join the watermark and are read from their start. */
  private async discoverPartitions(now: number): Promise<void> {
    this.lastDiscovery = now;
    const added = await this.source.discover().catch((e: Error) => {
      this.parts.problems.problem('kafka', `kafka: cannot look for new partitions: ${e.message}`);
      return [];
    });
    if (added.length === 0) return;
    for (const p of added) this.cut.track(p);
    process.stderr.write(
      `engine: ${this.source.topic} has new partitions ${added.join(', ')}: reading them from the beginning\n`,
    );
  }

  /** Waits while the flusher is too far behind (e.g. Elasticsearch down) or the input's output piles up. */
  private async backPressure(): Promise<void> {
    const { health } = this.parts;
    while (this.unflushed > MAX_UNFLUSHED_BATCHES && this.inFlight) {
      health.paused = `paused: waiting for Elasticsearch to acknowledge a flush (${this.unflushed} batches unflushed)`;
      await this.inFlight;
    }
    await this.input.backPressure(health);
    health.paused = undefined;
  }

  /**
   * One flush: drains the pool so the cut is exact, settles the input's side effects, sends the
   * flush mark and, in the background, commits its offsets once the flusher has made it durable.
   * Resolves true when the engine is caught up, idle, and has nothing left to write.
   */
  private async flushAndCommit(final: boolean): Promise<boolean> {
    await this.batches.drain();
    const mark = await this.input.settle(this.parts.problems);
    const watermark = this.cut.watermark((p) => this.input.isIdle(p));
    const offsets = this.cut.offsets();
    const key = JSON.stringify(offsets);
    const unchanged = this.lastFlush?.offsets === key && this.lastFlush.watermark === watermark;
    const allIdle = watermark === Number.POSITIVE_INFINITY;
    if (unchanged && this.unflushed === 0) return allIdle;
    this.lastFlush = { offsets: key, watermark };
    this.unflushed = 0;
    const sentAt = performance.now();
    this.breakdown.flushStarted(Date.now());
    const done = this.flusher.flush({
      offsets,
      partitionMax: this.cut.maxes(),
      watermark,
      invalid: this.parts.counts.invalid,
      ...mark,
    });
    this.inFlight = done.then((r) => {
      this.onFlushed(r, performance.now() - sentAt);
      this.inFlight = undefined;
      return r;
    });
    // A failed flush stops the loop at its next step.
    this.inFlight.catch((e: Error) => this.batches.fail(e));
    if (final) await this.inFlight;
    return false;
  }

  private onFlushed(r: Flushed, ms: number): void {
    const { counts, latencies, metrics, health } = this.parts;
    counts.flushes++;
    latencies.recordFlush(ms);
    latencies.recordEndToEnd(r.latencies, r.latencyWeight);
    metrics.countFlush(r.docs, ms, r.latencies);
    health.acknowledged();
    this.parts.acknowledged = Object.values(r.offsets).reduce((a, b) => a + b, 0);
    this.source.commit(r.offsets);
  }
}
