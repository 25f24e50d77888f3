/**
 * The coordinator (main thread) of the single engine and the merger: batches (a merger: counter
 * records) become deltas for the flusher thread; every FLUSH_INTERVAL_MS a flush mark closes a cut,
 * committed once durable and acknowledged. Decides watermarks, idleness and back-pressure.
 */
import type { EngineConfig } from './config/engine-config.js';
import { checkpointDirOf } from './config/settings.js';
import { type Flushed, FlusherLink, flusherDataOf } from './flusher/flusher-link.js';
import { Health } from './metrics/health.js';
import { Latencies } from './metrics/latency.js';
import { type LiveFigures, liveFiguresOf, statusLineOf } from './metrics/live-figures.js';
import { Problems } from './metrics/problems.js';
import { EngineMetrics } from './metrics/prometheus.js';
import { BatchPool } from './pool/batch-pool.js';
import { ensureDeltasTopic } from './scale/deltas-topic.js';
import { MergerInput, mergerSourceOf, type RecordProgress } from './scale/merger-input.js';
import type { BatchDelta } from './shared/messages.js';
import { BatchStream } from './source/batch-stream.js';
import { DeadLetters, invalidMessagesOf } from './source/dead-letters.js';
import type { Segment } from './source/rdkafka-batch.js';
import { engineSourceOf, type Source } from './source/source-group.js';

/** The flusher may fall this many batches behind before consumption pauses (bounded memory). */
const MAX_UNFLUSHED_BATCHES = 256;

export type EngineSummary = Record<'valid' | 'invalid' | 'late' | 'flushes' | 'seconds', number>;

export class Engine {
  readonly latencies = new Latencies();
  readonly metrics: EngineMetrics;
  private readonly source: Source;
  private readonly batches: BatchStream;
  private readonly flusher: FlusherLink;
  /** Dead letters and pool: not in a merger (its counters had them); merger: only there. */
  private readonly deadLetters: DeadLetters | undefined;
  private readonly pool: BatchPool | undefined;
  private readonly merger: MergerInput | undefined;
  private readonly partitionMax = new Map<number, number>();
  private readonly offsetsDone = new Map<number, number>();
  private stopping = false;
  private unflushed = 0;
  private flushing: Promise<Flushed> | undefined;
  private lastFlushAt = 0;
  private lastDiscovery = 0;
  private lastFlush: { offsets: string; watermark: number } | undefined;
  private counts = { valid: 0, invalid: 0, late: 0, flushes: 0, consumed: 0 };
  readonly health = new Health();
  private readonly problems: Problems;
  private acknowledged = 0;

  constructor(private readonly cfg: EngineConfig) {
    const onBrokerLost = (m: string) => this.problems.problem('kafka', `kafka: ${m}; reconnecting`);
    if (cfg.role === 'merger') {
      const deltas = mergerSourceOf(cfg, onBrokerLost);
      this.source = deltas;
      this.merger = new MergerInput(cfg, deltas);
    } else {
      this.source = engineSourceOf(cfg, onBrokerLost);
      this.deadLetters = new DeadLetters(cfg, cfg.kafkaTopic);
      this.pool = new BatchPool(cfg.poolSize);
    }
    this.metrics = new EngineMetrics(
      this.health.gauges(
        () => this.source.lag(),
        () => this.unflushed,
      ),
    );
    this.problems = new Problems(this.metrics, this.health);
    this.batches = new BatchStream(this.source, this.pool, cfg, this.problems, this.health);
    this.flusher = new FlusherLink(
      flusherDataOf(cfg),
      (m) => this.problems.problem('elasticsearch', m),
      (refusals) => this.problems.refused(refusals),
      (e) => this.batches.fail(e),
    );
  }

  get poolSize(): number {
    return this.pool?.size ?? 0;
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<EngineSummary> {
    const t0 = performance.now();
    try {
      await this.start();
      let lastStatus = performance.now();
      let lastConsumed = 0;
      while (!this.stopping) {
        this.health.loopTurned();
        await this.backPressure();
        this.dispatch(await this.batches.next());
        const now = performance.now();
        if (now - this.lastDiscovery >= this.cfg.partitionDiscoveryMs) await this.discoverPartitions(now);
        if (now - this.lastFlushAt >= this.cfg.flushIntervalMs && !this.flushing) {
          const done = await this.flushAndCommit(false);
          // A merger also waits for its counters' records to reach the source's end (merger-input.ts).
          if (this.cfg.exitWhenIdle && done && (await this.merger?.coversSourceEnd()) !== false) break;
        }
        if (this.cfg.statusIntervalMs > 0 && now - lastStatus >= this.cfg.statusIntervalMs) {
          const rate = (this.counts.consumed - lastConsumed) / ((now - lastStatus) / 1000);
          process.stderr.write(`${statusLineOf(this.live(), rate, this.latencies)}\n`);
          lastStatus = now;
          lastConsumed = this.counts.consumed;
        }
      }
      // Graceful stop: everything consumed so far is flushed, checkpointed and committed.
      await this.flushing;
      await this.flushAndCommit(true);
    } finally {
      await this.shutdown();
    }
    return { ...this.counts, seconds: (performance.now() - t0) / 1000 };
  }

  /** Restores the checkpoint, connects, and takes every partition at its checkpointed offset. */
  private async start(): Promise<void> {
    const restored = await this.flusher.restored;
    this.counts.invalid = restored.invalid;
    for (const [p, o] of Object.entries(restored.offsets)) this.offsetsDone.set(Number(p), o);
    for (const [p, m] of Object.entries(restored.partitionMax)) this.partitionMax.set(Number(p), m);
    await this.deadLetters?.start(restored.dlqEnd, restored.dlqCovered);
    await this.source.connect();
    if (this.merger) {
      await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
      await this.merger.restore(restored.offsets);
    }
    this.health.restored = true;
    this.metrics.lastAck.set(Date.now() / 1000);
    for (const p of await this.source.assignAll(restored.offsets)) this.trackPartition(p);
    if (Object.keys(restored.offsets).length === 0 && (await this.source.hasCommits()))
      this.problems.warn(
        `WARNING: no checkpoint in ${checkpointDirOf(this.cfg)}, but the consumer group has committed offsets of earlier work: rebuilding from the beginning of ${this.source.topic}`,
      );
    this.lastFlushAt = performance.now();
    this.lastDiscovery = this.lastFlushAt;
  }

  /** Partitions added to the topic while running join the watermark and are read from their start. */
  private async discoverPartitions(now: number): Promise<void> {
    this.lastDiscovery = now;
    const added = await this.source.discover().catch((e: Error) => {
      this.problems.problem('kafka', `kafka: cannot look for new partitions: ${e.message}`);
      return [];
    });
    if (added.length === 0) return;
    for (const p of added) this.trackPartition(p);
    process.stderr.write(
      `engine: ${this.source.topic} has new partitions ${added.join(', ')}: reading them from the beginning\n`,
    );
  }

  private trackPartition(p: number): void {
    if (!this.offsetsDone.has(p)) this.offsetsDone.set(p, 0);
    if (!this.partitionMax.has(p)) this.partitionMax.set(p, Number.NEGATIVE_INFINITY);
  }

  /** Hands a batch's messages to the pool (a merger applies its records); deltas go on to the flusher. */
  private dispatch(segments: Segment[]): void {
    if (this.merger) {
      const onDelta = (d: BatchDelta) => {
        this.counts.consumed += d.valid + d.invalidIndex.length;
        this.onDelta(d);
      };
      for (const s of segments) this.merger.apply(s, onDelta, (r) => this.onRecord(r));
      return;
    }
    for (const s of segments) this.counts.consumed += s.count;
    this.batches.countBatch(
      segments,
      (s) => this.partitionMax.get(s.partition) ?? Number.NEGATIVE_INFINITY,
      (s, d) => {
        if (d.invalidIndex.length > 0)
          for (const { message, reason } of invalidMessagesOf(d, s)) this.deadLetters?.send(message, reason);
        this.onDelta(d);
        this.partitionMax.set(d.partition, d.partitionMax);
        this.offsetsDone.set(d.partition, d.nextOffset);
      },
    );
  }

  private onDelta(d: BatchDelta): void {
    this.metrics.countDelta(d);
    this.flusher.delta(d);
    this.counts.valid += d.valid;
    this.counts.late += d.late;
    this.counts.invalid += d.invalidIndex.length;
    this.latencies.recordBatch(d.workerNs / 1000);
    this.unflushed++;
  }

  /** Merger: one counter record applied; the cut's offset is the deltas topic's. */
  private onRecord(r: RecordProgress): void {
    this.counts.invalid += r.invalid;
    if (r.invalid > 0) this.metrics.events.inc({ outcome: 'invalid' }, r.invalid);
    this.partitionMax.set(r.partition, r.partitionMax);
    this.offsetsDone.set(r.partition, r.nextOffset);
    this.unflushed++;
  }

  /** Waits while the flusher is too far behind (e.g. Elasticsearch down) or dead letters pile up. */
  private async backPressure(): Promise<void> {
    while (this.unflushed > MAX_UNFLUSHED_BATCHES && this.flushing && !this.stopping) {
      this.health.paused = `paused: waiting for Elasticsearch to acknowledge a flush (${this.unflushed} batches unflushed)`;
      await this.flushing;
    }
    if (this.deadLetters?.backlogged) {
      this.health.paused = 'paused: waiting for Kafka to take the dead letters';
      await this.deadLetters.drain();
    }
    this.health.paused = undefined;
  }

  /**
   * One flush: drains the pool so the cut is exact, settles the dead letters, sends the flush
   * mark and, in the background, commits its offsets once the flusher has made it durable.
   * Resolves true when the engine is caught up, idle, and has nothing left to write.
   */
  private async flushAndCommit(final: boolean): Promise<boolean> {
    await this.batches.drain();
    await this.deadLetters?.settle((m) => this.problems.problem('kafka', m));
    const watermark = this.watermark();
    const offsets = Object.fromEntries(this.offsetsDone);
    const key = JSON.stringify(offsets);
    const unchanged = this.lastFlush?.offsets === key && this.lastFlush.watermark === watermark;
    const allIdle = watermark === Number.POSITIVE_INFINITY;
    this.lastFlushAt = performance.now();
    if (unchanged && this.unflushed === 0) return allIdle;
    this.lastFlush = { offsets: key, watermark };
    this.unflushed = 0;
    const sentAt = performance.now();
    const done = this.flusher.flush({
      offsets,
      partitionMax: Object.fromEntries(this.partitionMax),
      watermark,
      invalid: this.counts.invalid,
      dlqEnd: this.deadLetters?.endOffset ?? 0,
      dlqCovered: this.deadLetters?.coveredOffsets ?? {},
    });
    this.flushing = done.then((r) => {
      this.onFlushed(r, performance.now() - sentAt);
      this.flushing = undefined;
      return r;
    });
    // A failed flush stops the loop at its next step (the flusher link reported it).
    this.flushing.catch(() => undefined);
    if (final) await this.flushing;
    return false;
  }

  private onFlushed(r: Flushed, ms: number): void {
    this.counts.flushes++;
    this.latencies.recordFlush(ms);
    this.latencies.recordEndToEnd(r.latencies, r.latencyWeight);
    this.metrics.countFlush(r.docs, ms, r.latencies);
    this.health.acknowledged();
    this.acknowledged = Object.values(r.offsets).reduce((a, b) => a + b, 0);
    this.source.commit(r.offsets);
  }

  /** Minimum over non-idle partitions of (max event time − lateness); Infinity when all are idle. */
  private watermark(): number {
    let wm = Number.POSITIVE_INFINITY;
    for (const p of this.offsetsDone.keys()) {
      if (this.isIdle(p)) continue;
      wm = Math.min(wm, (this.partitionMax.get(p) ?? Number.NEGATIVE_INFINITY) - this.cfg.allowedLatenessMs);
    }
    return wm;
  }

  private isIdle(p: number): boolean {
    return this.merger ? this.merger.isIdle(p) : this.source.isIdle(p, this.cfg.idleTimeoutMs);
  }

  /** Live figures for the dashboard, /readyz and the status line. */
  live(): LiveFigures {
    return liveFiguresOf({
      counts: this.counts,
      acknowledged: this.acknowledged,
      lag: this.source.lag(),
      latencies: this.latencies,
      health: this.health,
      lastPollAt: this.batches.lastPollAt,
    });
  }

  private async shutdown(): Promise<void> {
    await this.batches.settle();
    await this.flusher.stop();
    await Promise.allSettled([
      this.source.close(),
      this.deadLetters?.close() ?? Promise.resolve(),
      this.pool?.close() ?? Promise.resolve(),
    ]);
    this.problems.close();
  }
}
