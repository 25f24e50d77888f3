/**
 * The source loop's moving parts, one home for both roles (engine.ts and scale/counter.ts):
 * take the next batch from Kafka (lingering when caught up, retrying when the broker is away),
 * hand each partition's segment to the pool, and keep the batches in flight bounded, with the
 * first failure of any of them remembered and thrown where the loop can stop on it.
 */
import type { EngineConfig } from '../config/engine-config.js';
import { eventTimeRangeOf } from '../config/engine-config.js';
import { internalError, RiaError } from '../errors/errors.js';
import type { Health } from '../metrics/health.js';
import type { Problems } from '../metrics/problems.js';
import type { BatchPool } from '../pool/batch-pool.js';
import type { SchemaCache } from '../schema/schema-cache.js';
import type { BatchDelta } from '../shared/messages.js';
import { type PackSettings, taskOf } from './batch-packer.js';
import type { Segment } from './rdkafka-batch.js';
import type { Source } from './source-group.js';

/** How long to wait before polling again after a failed consume call (librdkafka reconnects itself). */
const RETRY_MS = 500;
/** How often the broker is asked for metadata (readiness: is it reachable?), and how long it may take. */
const BROKER_CHECK_MS = 5000;
const BROKER_CHECK_TIMEOUT_MS = 4000;

export function packSettingsOf(cfg: EngineConfig): PackSettings {
  return {
    windowMs: cfg.windowMs,
    allowedLatenessMs: cfg.allowedLatenessMs,
    sessionGapMs: cfg.sessionGapMs,
    format: cfg.format,
    range: eventTimeRangeOf(cfg),
    sampleEvery: cfg.latencySampleEvery,
    maxAheadMs: cfg.maxEventAheadMs > 0 ? cfg.maxEventAheadMs : Number.POSITIVE_INFINITY,
  };
}

export class BatchStream {
  private readonly inflight = new Set<Promise<void>>();
  private readonly pack: PackSettings;
  private failure: Error | undefined;
  private lastBatchSize = 0;
  private lastBrokerCheck = 0;
  private checkingBroker = false;
  /** When the last consume call returned (performance.now()). */
  lastPollAt = 0;
  /** A batch whose Avro schemas could not be fetched yet (the registry is away): tried again first. */
  private held: Segment[] | undefined;

  /** `problems` hears of a retried Kafka failure (the loop goes on), `health` of messages that came. */
  constructor(
    private readonly source: Source,
    private readonly pool: BatchPool | undefined,
    private readonly cfg: EngineConfig,
    private readonly problems: Pick<Problems, 'problem'>,
    private readonly health: Pick<Health, 'polled'>,
    /** Avro input: the schemas of a batch are known before it goes to the pool (undefined: no registry). */
    private readonly schemas?: SchemaCache,
  ) {
    this.pack = packSettingsOf(cfg);
  }

  /**
   * The next batch, one segment per partition; empty after a failed call (reported, waited).
   * Waits first while MAX_INFLIGHT_BATCHES are at the pool.
   */
  async next(): Promise<Segment[]> {
    const segments = this.held ?? (await this.consume());
    this.held = undefined;
    if (this.schemas && segments.length > 0 && !(await this.schemas.resolve(segments))) {
      this.held = segments;
      return [];
    }
    return segments;
  }

  private async consume(): Promise<Segment[]> {
    this.throwIfFailed();
    this.checkBroker();
    while (this.inflight.size >= this.cfg.maxInflightBatches) await Promise.race(this.inflight);
    // Caught up (the last batch was small)? Let a little traffic gather first: at a steady few
    // thousand events/s this makes one pool task per BATCH_LINGER_MS instead of one per handful
    // of events; a few ms against the flush interval.
    const linger = this.isSmall(this.lastBatchSize)
      ? this.cfg.batchLingerMs - (performance.now() - this.lastPollAt)
      : 0;
    if (linger > 0) await new Promise((r) => setTimeout(r, linger));
    try {
      const segments = await this.source.consume(this.cfg.batchSize);
      this.lastBatchSize = 0;
      for (const s of segments) this.lastBatchSize += s.count;
      this.lastPollAt = performance.now();
      if (segments.length > 0) this.health.polled();
      return segments;
    } catch (e) {
      // What waiting cannot mend (an offset out of range, a re-read) stops the loop.
      if (e instanceof RiaError && !e.retriable) throw e;
      this.problems.problem('kafka', `kafka: ${(e as Error).message}; retrying`);
      await new Promise((r) => setTimeout(r, RETRY_MS));
      return [];
    }
  }

  /** A batch this small means the source is caught up: traffic comes at a steady rate. */
  private isSmall(events: number): boolean {
    return events < this.cfg.batchSize / 8;
  }

  /** Every BROKER_CHECK_MS, in the background: the broker answers (healthy) or not (a Kafka problem). */
  private checkBroker(): void {
    const now = performance.now();
    if (this.checkingBroker || now - this.lastBrokerCheck < BROKER_CHECK_MS) return;
    this.lastBrokerCheck = now;
    this.checkingBroker = true;
    this.source
      .probeBroker(BROKER_CHECK_TIMEOUT_MS)
      .then(
        () => this.health.polled(),
        (e: Error) => this.problems.problem('kafka', `kafka: the broker does not answer (${e.message})`),
      )
      .finally(() => {
        this.checkingBroker = false;
      });
  }

  /**
   * Counts a batch's segments on the pool, each once its partition's previous batch is done
   * (`partitionMaxOf`: the maximum before the first one), then calls `use` with each delta, in
   * partition order. A small batch (caught up, a steady rate) goes as one task: a task costs more
   * than its few hundred events (results/engine-steady-cost.json); a large one as one task per
   * partition, so the workers share it.
   */
  countBatch(
    segments: Segment[],
    partitionMaxOf: (s: Segment) => number,
    use: (s: Segment, d: BatchDelta) => void,
  ): void {
    const pool = this.pool;
    if (!pool) throw internalError('countBatch() needs a pool');
    let events = 0;
    for (const s of segments) events += s.count;
    // One task needs distinct partitions: each segment's maximum is its partition's before the task.
    const distinct = new Set(segments.map((s) => s.partition)).size === segments.length;
    const groups = this.isSmall(events) && distinct ? [segments] : segments.map((s) => [s]);
    for (const group of groups) {
      if (group.length === 0) continue;
      const parts = group.map((s) => ({ partition: s.partition, initialMax: partitionMaxOf(s) }));
      const job = pool
        .run(parts, (maxes) =>
          group.map((s, i) => taskOf(s, maxes[i], this.pack, this.schemas?.writersOf(s))),
        )
        .then((deltas) => {
          for (const [i, d] of deltas.entries()) use(group[i], d);
        });
      this.track(job);
    }
  }

  /** Keeps `job` among the batches in flight; its failure stops the loop at its next step. */
  track(job: Promise<void>): void {
    const tracked = job.catch((e) => {
      this.failure ??= e instanceof Error ? e : internalError(String(e));
    });
    this.inflight.add(tracked);
    tracked.finally(() => this.inflight.delete(tracked));
  }

  /** Every batch in flight has been counted; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.inflight);
    this.throwIfFailed();
  }

  /** Every batch in flight has finished, whatever the outcome (closing). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.inflight);
  }

  /** Records a failure from outside the batches (the flusher): the loop stops on it. */
  fail(e: Error): void {
    this.failure ??= e;
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  get size(): number {
    return this.inflight.size;
  }
}
