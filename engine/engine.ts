/**
 * The engine's coordinator (main thread): Kafka batches → pool → deltas → flusher, flush marks
 * on a timer, watermarks and idleness, dead letters, offsets committed after each durable flush,
 * back-pressure, status, and a graceful stop. The work itself happens in the pool workers
 * (decode, validate, count) and the flusher thread (merge, windows, checkpoint, Elasticsearch).
 */
import { Worker } from 'node:worker_threads';
import type { ConfigOf } from './config/options.js';
import { checkpointDirOf, type engineOptions } from './config/settings.js';
import { ConfigError, RiaError } from './errors/errors.js';
import type { FlusherThreadData } from './flusher/flusher-thread.js';
import { Latencies } from './metrics/latency.js';
import { EngineMetrics } from './metrics/prometheus.js';
import { BatchPool } from './pool/batch-pool.js';
import { decodeDeltaRecord } from './scale/delta-record.js';
import { ensureDeltasTopic } from './scale/deltas-topic.js';
import { lastRecords } from './scale/last-records.js';
import { parseIsoTimestamp } from './shared/event-rules.js';
import { deltasTopic, mergerGroup } from './shared/indices.js';
import type { BatchDelta, FlusherReply, FlusherRequest } from './shared/messages.js';
import { esConnectionOf } from './sink/es-client.js';
import { type PackSettings, taskOf } from './source/batch-packer.js';
import { DeadLetters, invalidMessagesOf } from './source/dead-letters.js';
import { KafkaSource } from './source/kafka-source.js';
import { type Segment, segmentViews } from './source/rdkafka-batch.js';

export type EngineConfig = ConfigOf<typeof engineOptions>;
type Flushed = Extract<FlusherReply, { kind: 'flushed' }>;

/** The flusher may fall this many batches behind before consumption pauses (bounded memory). */
const MAX_UNFLUSHED_BATCHES = 256;

/** What the dashboard and /readyz show of a running engine. */
export interface LiveFigures {
  at: number;
  consumed: number;
  /** Events covered by flushes Elasticsearch has acknowledged (sum of committed offsets). */
  acknowledged: number;
  valid: number;
  invalid: number;
  late: number;
  flushes: number;
  lag: Record<number, number>;
  latency: { batchUs: Percentiles; flushMs: Percentiles; endToEndMs: Percentiles };
  kafka: { up: boolean; lastPollAgoMs: number };
  elasticsearch: { up: boolean; lastAckAgoMs: number | null; lastProblem: string | null };
  restored: boolean;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface EngineSummary {
  valid: number;
  invalid: number;
  late: number;
  flushes: number;
  seconds: number;
}

function timeSetting(text: string, name: string): number {
  const t = parseIsoTimestamp(text);
  if (Number.isNaN(t))
    throw new ConfigError(`invalid setting ${name}: expected ISO-8601 with a zone, got "${text}"`);
  return t;
}

export class Engine {
  readonly latencies = new Latencies();
  readonly metrics = new EngineMetrics();
  private readonly source: KafkaSource;
  /** Not in a merger: its counters wrote the dead letters. */
  private readonly deadLetters: DeadLetters | undefined;
  /** Not in a merger: its counters did the decoding and counting. */
  private readonly pool: BatchPool | undefined;
  /** Merger: per source partition, whether its last record said it was idle. */
  private readonly recordIdle = new Map<number, boolean>();
  private readonly flusher: Worker;
  private readonly pack: PackSettings;
  private readonly inflight = new Set<Promise<void>>();
  private readonly flushWaiters: ((r: Flushed) => void)[] = [];
  private readonly partitionMax = new Map<number, number>();
  private readonly offsetsDone = new Map<number, number>();
  private restored: Promise<Extract<FlusherReply, { kind: 'restored' }>>;
  private fatal: Error | undefined;
  private stopping = false;
  private unflushed = 0;
  private flushing: Promise<Flushed> | undefined;
  private lastFlushAt = 0;
  private lastFlush: { offsets: string; watermark: number } | undefined;
  private counts = { valid: 0, invalid: 0, late: 0, flushes: 0, consumed: 0 };
  private isRestored = false;
  private lastPollAt = 0;
  private lastBatchSize = 0;
  private lastLoopAt = performance.now();
  private lastAckAt: number | undefined;
  private lastProblem: { at: number; message: string } | undefined;
  private acknowledged = 0;

  constructor(private readonly cfg: EngineConfig) {
    const minMs = timeSetting(cfg.minEventTime, 'EVENT_TIME_MIN');
    const maxMs = timeSetting(cfg.maxEventTime, 'EVENT_TIME_MAX');
    if (minMs >= maxMs)
      throw new ConfigError('invalid settings: EVENT_TIME_MIN must be before EVENT_TIME_MAX');
    this.pack = {
      windowMs: cfg.windowMs,
      allowedLatenessMs: cfg.allowedLatenessMs,
      format: cfg.format,
      range: { minMs, maxMs },
      sampleEvery: cfg.latencySampleEvery,
    };
    if (cfg.role === 'merger') {
      // The counters' committed records only (README "Scale-out").
      // CONSUMER_GROUP is the counters' group: it names their deltas topic.
      this.source = new KafkaSource(
        cfg,
        deltasTopic(cfg.kafkaTopic, cfg.consumerGroup),
        mergerGroup(cfg.consumerGroup),
        {
          config: { 'isolation.level': 'read_committed' },
        },
      );
    } else {
      this.source = new KafkaSource(cfg, cfg.kafkaTopic, cfg.consumerGroup);
      this.deadLetters = new DeadLetters(cfg, cfg.kafkaTopic);
      this.pool = new BatchPool(cfg.poolSize);
    }
    const data: FlusherThreadData = {
      elasticsearch: esConnectionOf(cfg),
      checkpointDir: checkpointDirOf(cfg),
      topic: cfg.kafkaTopic,
      windowMs: cfg.windowMs,
      allowedLatenessMs: cfg.allowedLatenessMs,
      bulkMaxDocs: cfg.bulkMaxDocs,
      startTimeoutMs: cfg.startTimeoutMs,
      compactBytes: 64 * 1024 * 1024,
      sampleEvery: cfg.latencySampleEvery,
    };
    this.flusher = new Worker(new URL('./flusher/flusher-thread.js', import.meta.url), { workerData: data });
    this.restored = new Promise((resolve, reject) => {
      this.flusher.on('message', (r: FlusherReply) => {
        if (r.kind === 'restored') resolve(r);
        else if (r.kind === 'flushed') this.flushWaiters.shift()?.(r);
        else if (r.kind === 'error') {
          this.problem(r.message);
          if (r.fatal) {
            this.fatal = new RiaError(r.message, { code: 'RIA_ERR_FLUSHER', domain: 'external' });
            reject(this.fatal);
          }
        }
      });
      this.flusher.on('error', (e) => {
        this.fatal = e;
        reject(e);
      });
    });
  }

  get poolSize(): number {
    return this.pool?.size ?? 0;
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<EngineSummary> {
    const t0 = performance.now();
    const restored = await this.restored;
    this.counts.invalid = restored.invalid;
    for (const [p, o] of Object.entries(restored.offsets)) this.offsetsDone.set(Number(p), o);
    for (const [p, m] of Object.entries(restored.partitionMax)) this.partitionMax.set(Number(p), m);
    await this.deadLetters?.start(restored.dlqEnd, restored.dlqCovered);
    await this.source.connect();
    if (this.cfg.role === 'merger') {
      await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
      await this.restoreIdleness(restored.offsets);
    }
    this.isRestored = true;
    const partitions = await this.source.assignAll(restored.offsets);
    for (const p of partitions) {
      if (!this.offsetsDone.has(p)) this.offsetsDone.set(p, 0);
      if (!this.partitionMax.has(p)) this.partitionMax.set(p, Number.NEGATIVE_INFINITY);
    }
    this.lastFlushAt = performance.now();
    let lastStatus = performance.now();
    let lastConsumed = 0;
    try {
      while (!this.stopping) {
        if (this.fatal) throw this.fatal;
        this.lastLoopAt = performance.now();
        await this.backPressure();
        let segments: Segment[];
        try {
          // Caught up (the last batch was small)? Let a little traffic gather first: at a steady
          // few thousand events/s this makes one pool task per BATCH_LINGER_MS instead of one per
          // handful of events (a task costs ~40 µs); a few ms against a 250 ms flush interval.
          const linger =
            this.lastBatchSize < this.cfg.batchSize / 8
              ? this.cfg.batchLingerMs - (performance.now() - this.lastPollAt)
              : 0;
          if (linger > 0) await new Promise((r) => setTimeout(r, linger));
          segments = await this.source.consume(this.cfg.batchSize);
          this.lastBatchSize = 0;
          for (const s of segments) this.lastBatchSize += s.count;
          this.lastPollAt = performance.now();
        } catch (e) {
          // librdkafka reconnects by itself (broker restart): report, wait a little, go on.
          this.problem(`kafka: ${(e as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const s of segments) this.dispatch(s);
        const now = performance.now();
        if (now - this.lastFlushAt >= this.cfg.flushIntervalMs && !this.flushing) {
          const done = await this.flushAndCommit(false);
          if (this.cfg.exitWhenIdle && done) break;
        }
        if (this.cfg.statusIntervalMs > 0 && now - lastStatus >= this.cfg.statusIntervalMs) {
          this.printStatus((this.counts.consumed - lastConsumed) / ((now - lastStatus) / 1000));
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

  /** Hands one partition's messages to the pool; the delta goes on to the flusher. */
  private dispatch(s: Segment): void {
    if (!this.pool) {
      this.applyRecords(s);
      return;
    }
    this.counts.consumed += s.count;
    const job = this.pool
      .run(s.partition, this.partitionMax.get(s.partition) ?? Number.NEGATIVE_INFINITY, (max) =>
        taskOf(s, max, this.pack),
      )
      .then((delta) => this.onDelta(delta, s));
    const tracked = job.catch((e) => {
      this.fatal = e;
    });
    this.inflight.add(tracked);
    tracked.finally(() => this.inflight.delete(tracked));
  }

  private onDelta(d: BatchDelta, s: Segment): void {
    if (d.invalidIndex.length > 0) this.sendDeadLetters(d, s);
    this.metrics.events.inc({ outcome: 'valid' }, d.valid);
    if (d.late > 0) this.metrics.events.inc({ outcome: 'late' }, d.late);
    if (d.invalidIndex.length > 0) {
      this.metrics.events.inc({ outcome: 'invalid' }, d.invalidIndex.length);
      this.metrics.deadLetters.inc(d.invalidIndex.length);
    }
    this.metrics.batchSeconds.observe(d.workerNs / 1e9);
    this.post({ kind: 'delta', delta: d });
    this.partitionMax.set(d.partition, d.partitionMax);
    this.offsetsDone.set(d.partition, d.nextOffset);
    this.counts.valid += d.valid;
    this.counts.late += d.late;
    this.counts.invalid += d.invalidIndex.length;
    this.latencies.batchUs.recordValue(Math.max(1, Math.round(d.workerNs / 1000)));
    this.unflushed++;
  }

  private sendDeadLetters(d: BatchDelta, s: Segment): void {
    for (const { message, reason } of invalidMessagesOf(d, s)) this.deadLetters?.send(message, reason);
  }

  /**
   * Merger: the counters' records of one deltas partition (= source partition), in order. Their
   * deltas go to the flusher as the pool's would; the cut's offset of the partition is the deltas
   * topic's (where to resume), its maximum and idleness the source partition's.
   */
  private applyRecords(s: Segment): void {
    const { ends, offsetDelta } = segmentViews(s);
    let start = 0;
    for (let i = 0; i < s.count; i++) {
      const end = ends[i];
      if (end < 0) continue;
      const r = decodeDeltaRecord(new Uint8Array(s.values, start, end - start));
      start = end;
      if (r.partition !== s.partition)
        throw new RiaError(`deltas record of partition ${r.partition} in partition ${s.partition}`, {
          code: 'RIA_ERR_DELTAS',
          domain: 'external',
        });
      for (const d of r.deltas) {
        this.counts.consumed += d.valid + d.invalidIndex.length;
        this.onDelta(d, s);
      }
      this.counts.invalid += r.invalid;
      if (r.invalid > 0) this.metrics.events.inc({ outcome: 'invalid' }, r.invalid);
      this.partitionMax.set(s.partition, r.partitionMax);
      this.recordIdle.set(s.partition, r.idle);
      this.offsetsDone.set(s.partition, s.firstOffset + offsetDelta[i] + 1);
      this.unflushed++;
    }
  }

  /** Merger: idleness said by the last record already applied (from the checkpoint's offsets). */
  private async restoreIdleness(offsets: Record<number, number>): Promise<void> {
    const partitions = Object.keys(offsets).map(Number);
    for (const [p, { record, offset }] of await lastRecords(
      this.cfg,
      deltasTopic(this.cfg.kafkaTopic, this.cfg.consumerGroup),
      partitions,
    ))
      if (offset < (offsets[p] ?? 0)) this.recordIdle.set(p, record.idle);
  }

  /** Waits while the pool is full, or while the flusher is too far behind (e.g. Elasticsearch down). */
  private async backPressure(): Promise<void> {
    while (this.inflight.size >= this.cfg.maxInflightBatches) await Promise.race(this.inflight);
    while (this.unflushed > MAX_UNFLUSHED_BATCHES && this.flushing && !this.stopping) await this.flushing;
  }

  /**
   * One flush: drains the pool so the cut is exact, settles the dead letters, sends the flush
   * mark and, in the background, commits its offsets once the flusher has made it durable.
   * Resolves true when the engine is caught up, idle, and has nothing left to write.
   */
  private async flushAndCommit(final: boolean): Promise<boolean> {
    await Promise.all(this.inflight);
    if (this.fatal) throw this.fatal;
    await this.deadLetters?.settle((m) => this.problem(m));
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
    const done = new Promise<Flushed>((resolve) => this.flushWaiters.push(resolve));
    this.post({
      kind: 'flush',
      offsets,
      partitionMax: Object.fromEntries(this.partitionMax),
      watermark,
      invalid: this.counts.invalid,
      dlqEnd: this.deadLetters?.endOffset ?? 0,
      dlqCovered: this.deadLetters?.coveredOffsets ?? {},
    });
    this.flushing = done.then((r) => {
      this.counts.flushes++;
      this.latencies.recordFlush(performance.now() - sentAt);
      this.latencies.recordEndToEnd(r.latencies, r.latencyWeight);
      this.metrics.flushes.inc();
      this.metrics.documents.inc(r.docs);
      this.metrics.flushSeconds.observe((performance.now() - sentAt) / 1000);
      for (const l of r.latencies) this.metrics.endToEndSeconds.observe(l / 1000);
      this.lastAckAt = performance.now();
      this.acknowledged = Object.values(r.offsets).reduce((a, b) => a + b, 0);
      this.source.commit(r.offsets);
      this.flushing = undefined;
      return r;
    });
    if (final) await this.flushing;
    return false;
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

  /**
   * A partition whose watermark holds no window open. A merger takes its counter's word (the
   * record said idle) once it has read that partition to the end: a counter that died says
   * nothing, so its windows wait for it, as a single engine's would.
   */
  private isIdle(p: number): boolean {
    if (this.cfg.role === 'merger') return this.recordIdle.get(p) === true && this.source.isIdle(p, 0);
    return this.source.isIdle(p, this.cfg.idleTimeoutMs);
  }

  private post(req: FlusherRequest): void {
    this.flusher.postMessage(req);
  }

  /** Milliseconds since the main loop last turned (for /healthz). */
  loopAgeMs(): number {
    return Math.round(performance.now() - this.lastLoopAt);
  }

  /** Live figures for the dashboard, /metrics and /readyz. */
  live(): LiveFigures {
    const now = performance.now();
    const lag = Object.fromEntries(this.source.lag());
    for (const [p, l] of Object.entries(lag)) this.metrics.lag.set({ partition: p }, l);
    const pct = (h: typeof this.latencies.flushMs): Percentiles => ({
      p50: h.getValueAtPercentile(50),
      p99: h.getValueAtPercentile(99),
      max: h.maxValue,
    });
    const esUp =
      this.lastProblem === undefined ||
      (this.lastAckAt !== undefined && this.lastAckAt > this.lastProblem.at);
    const kafkaUp = this.isRestored && now - this.lastPollAt < 10_000;
    this.metrics.up.set({ service: 'kafka' }, kafkaUp ? 1 : 0);
    this.metrics.up.set({ service: 'elasticsearch' }, esUp ? 1 : 0);
    return {
      at: Date.now(),
      consumed: this.counts.consumed,
      acknowledged: this.acknowledged,
      valid: this.counts.valid,
      invalid: this.counts.invalid,
      late: this.counts.late,
      flushes: this.counts.flushes,
      lag,
      latency: {
        batchUs: pct(this.latencies.batchUs),
        flushMs: pct(this.latencies.flushMs),
        endToEndMs: pct(this.latencies.endToEndMs),
      },
      kafka: { up: kafkaUp, lastPollAgoMs: Math.round(now - this.lastPollAt) },
      elasticsearch: {
        up: esUp,
        lastAckAgoMs: this.lastAckAt === undefined ? null : Math.round(now - this.lastAckAt),
        lastProblem: this.lastProblem?.message ?? null,
      },
      restored: this.isRestored,
    };
  }

  private problem(message: string): void {
    this.metrics.problems.inc();
    this.lastProblem = { at: performance.now(), message };
    process.stderr.write(`engine: ${message}\n`);
  }

  private printStatus(rate: number): void {
    const lag = [...this.source.lag().values()].reduce((a, b) => a + b, 0);
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    process.stderr.write(
      `engine: ${Math.round(rate)} events/s | valid ${this.counts.valid} invalid ${this.counts.invalid} late ${this.counts.late} | lag ${lag} | flushes ${this.counts.flushes} | ${this.latencies.summary()} | ${this.latencies.takeRecent()} | rss ${rss} MiB\n`,
    );
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled(this.inflight);
    const stopped = new Promise<void>((resolve) => {
      this.flusher.on('message', (r: FlusherReply) => r.kind === 'stopped' && resolve());
      this.flusher.on('exit', () => resolve());
    });
    this.post({ kind: 'stop' });
    const t = (label: string, p: Promise<unknown>) =>
      process.env.RIA_DEBUG_SHUTDOWN ? p.then(() => process.stderr.write(`engine: ${label} closed\n`)) : p;
    await t('flusher', Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000))]));
    await this.flusher.terminate();
    await Promise.allSettled([
      t('consumer', this.source.close()),
      t('dlq', this.deadLetters?.close() ?? Promise.resolve()),
      t('pool', this.pool?.close() ?? Promise.resolve()),
    ]);
  }
}
