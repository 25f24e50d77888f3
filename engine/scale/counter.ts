/**
 * A counter (`ria engine --role counter`): one of any number of engines in one consumer group.
 * Kafka assigns it source partitions; its pool decodes, validates and counts them exactly as the
 * single engine does (lateness judged per partition, in offset order), and each flush writes, in
 * one Kafka transaction: a record per batch to the deltas topic (partition = source partition),
 * the dead letters, and the source offsets. The merger reads committed records only, so every
 * source offset is counted exactly once whatever dies when.
 *
 * State per source partition is only where it is (next offset) and its maximum event time; both
 * are in its last committed record, which the next owner reads on assignment. A rebalance
 * finishes the current flush (or aborts it) before the partitions are given back.
 */
import Kafka from 'node-rdkafka';
import type { EngineConfig } from '../config/engine-config.js';
import { ServiceError } from '../errors/errors.js';
import { Health } from '../metrics/health.js';
import { Problems } from '../metrics/problems.js';
import { EngineMetrics } from '../metrics/prometheus.js';
import { BatchPool } from '../pool/batch-pool.js';
import { ensureTopics } from '../setup/topics.js';
import { deltasTopic, dlqTopic } from '../shared/indices.js';
import type { BatchDelta } from '../shared/messages.js';
import { BatchStream } from '../source/batch-stream.js';
import { type InvalidMessage, invalidMessagesOf } from '../source/dead-letters.js';
import { KafkaSource, OFFSET_BEGINNING } from '../source/kafka-source.js';
import type { Segment } from '../source/rdkafka-batch.js';
import { CounterTransactions, type PartitionWrite, transactionOf } from './counter-transactions.js';
import { ensureDeltasTopic } from './deltas-topic.js';
import { lastRecords } from './last-records.js';

/** One assigned source partition: what its next records cover. */
interface PartitionWork {
  /** First source offset not yet in a committed record. */
  from: number;
  /** Offset after the last batch counted. */
  next: number;
  partitionMax: number;
  /** Idleness in the last committed record. */
  idleWritten: boolean;
  deltas: BatchDelta[];
  deadLetters: { message: InvalidMessage; reason: string }[];
  inflight: number;
}

type Rebalance = { kind: 'assign'; partitions: number[] } | { kind: 'revoke' };

export interface CounterSummary {
  valid: number;
  invalid: number;
  late: number;
  flushes: number;
  rebalances: number;
  seconds: number;
}

export class Counter {
  private readonly source: KafkaSource;
  private readonly pool: BatchPool;
  private readonly transactions: CounterTransactions;
  private readonly batches: BatchStream;
  private readonly work = new Map<number, PartitionWork>();
  private readonly rebalances: Rebalance[] = [];
  private readonly deltas: string;
  private readonly dlq: string;
  /** Bumped by every rebalance: a batch dispatched before it is dropped when it comes back. */
  private generation = 0;
  private stopping = false;
  private closing = false;
  private counts = { valid: 0, invalid: 0, late: 0, flushes: 0, rebalances: 0 };
  /** What /healthz, /readyz and /metrics of a counter show (it writes to Kafka, not Elasticsearch). */
  readonly health = new Health();
  readonly metrics = new EngineMetrics(
    this.health.gauges(
      () => this.source.lag(),
      () => 0,
    ),
  );
  private readonly problems = new Problems(this.metrics, this.health, 'counter');

  constructor(private readonly cfg: EngineConfig) {
    this.deltas = deltasTopic(cfg.kafkaTopic, cfg.consumerGroup);
    this.dlq = dlqTopic(cfg.kafkaTopic);
    // librdkafka calls this on the main thread between our calls; the loop acts on it.
    const rebalance = (err: Kafka.LibrdKafkaError, assignment: Kafka.Assignment[]) => {
      // Leaving the group (close) waits for the partitions to be given back: nothing left to do.
      if (this.closing) {
        if (err.code !== Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) this.source.unassign();
        return;
      }
      if (err.code === Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS)
        this.rebalances.push({ kind: 'assign', partitions: assignment.map((a) => a.partition) });
      else this.rebalances.push({ kind: 'revoke' });
    };
    this.source = new KafkaSource(cfg, cfg.kafkaTopic, cfg.consumerGroup, {
      rebalance,
      onBrokerLost: (m) => this.problems.problem('kafka', `kafka: ${m}; reconnecting`),
      config: {
        // Eager rebalancing: every partition is given back before any is handed out again.
        'partition.assignment.strategy': 'range',
        // Partitions added to the topic reach the group (a rebalance) within this delay.
        'topic.metadata.refresh.interval.ms': cfg.partitionDiscoveryMs,
      },
    });
    this.pool = new BatchPool(cfg.poolSize);
    this.batches = new BatchStream(this.source, this.pool, cfg, this.problems, this.health);
    this.transactions = new CounterTransactions(cfg);
  }

  get poolSize(): number {
    return this.pool.size;
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<CounterSummary> {
    const t0 = performance.now();
    await this.transactions.connect();
    await this.source.connect();
    await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
    await ensureTopics(this.cfg, [{ name: this.dlq, partitions: 1 }]);
    this.source.subscribe();
    this.health.restored = true;
    this.metrics.lastAck.set(Date.now() / 1000);
    let lastFlushAt = performance.now();
    try {
      while (!this.stopping) {
        this.batches.throwIfFailed();
        this.health.loopTurned();
        await this.rebalance();
        const segments = await this.batches.next();
        // A rebalance came during the call: these may no longer be ours (read again from the records).
        if (this.rebalances.length > 0) continue;
        this.dispatch(segments.filter((s) => this.work.has(s.partition)));
        if (performance.now() - lastFlushAt >= this.cfg.flushIntervalMs) {
          lastFlushAt = performance.now();
          const wrote = await this.flush().catch((e) => this.rewind(e));
          if (this.cfg.exitWhenIdle && !wrote && this.allIdle()) break;
        }
      }
      await this.batches.drain();
      await this.flush();
    } finally {
      await this.batches.settle();
      this.closing = true;
      await this.source.close();
      await this.transactions.close();
      await this.pool.close();
      this.problems.close();
    }
    return { ...this.counts, seconds: (performance.now() - t0) / 1000 };
  }

  /** Acts on the rebalances librdkafka reported, in order. */
  private async rebalance(): Promise<void> {
    while (this.rebalances.length > 0) {
      const r = this.rebalances.shift()!;
      // Batches at the pool finish first: they are still ours, and the revoke flush commits them.
      await this.batches.settle();
      this.generation++;
      this.counts.rebalances++;
      if (r.kind === 'revoke') {
        // What is counted so far is ours to commit until we give the partitions back.
        await this.flush().catch((e) =>
          this.problems.problem(
            'kafka',
            `flush before giving partitions back failed: ${(e as Error).message}`,
          ),
        );
        this.work.clear();
        this.source.unassign();
        continue;
      }
      // The topic may have grown: new source partitions need their deltas partitions first.
      await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
      const last = await lastRecords(this.cfg, this.deltas, r.partitions);
      const offsets = new Map<number, number>();
      this.work.clear();
      for (const p of r.partitions) {
        const rec = last.get(p)?.record;
        const next = rec ? rec.next : 0;
        offsets.set(p, rec ? rec.next : OFFSET_BEGINNING);
        this.work.set(p, {
          from: next,
          next,
          partitionMax: rec ? rec.partitionMax : Number.NEGATIVE_INFINITY,
          idleWritten: rec?.idle ?? false,
          deltas: [],
          deadLetters: [],
          inflight: 0,
        });
      }
      this.source.assign(offsets);
      process.stderr.write(`counter: assigned partitions ${r.partitions.join(', ') || '(none)'}\n`);
    }
  }

  /**
   * After an aborted transaction (broker restart, time-out): what it held is dropped and the
   * partitions are read again from their last committed records, as if just assigned. A fatal
   * error (another process took this transactional.id) stops the counter.
   */
  private async rewind(e: unknown): Promise<boolean> {
    const cause = e instanceof ServiceError ? (e.cause as Kafka.LibrdKafkaError | undefined) : undefined;
    if (!cause || cause.isFatal) throw e;
    this.problems.problem(
      'kafka',
      `${(e as Error).message}; reading the partitions again from the last commit`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    this.rebalances.unshift({ kind: 'assign', partitions: [...this.work.keys()] });
    return true;
  }

  private dispatch(segments: Segment[]): void {
    const generation = this.generation;
    // The partitions' work as it is now: a rebalance may replace it before the deltas come back.
    const works = new Map(segments.map((s) => [s.partition, this.work.get(s.partition)!]));
    for (const s of segments) works.get(s.partition)!.inflight++;
    this.batches.countBatch(
      segments,
      (s) => works.get(s.partition)!.partitionMax,
      (s, d) => {
        const w = works.get(s.partition)!;
        w.inflight--;
        if (generation !== this.generation) return; // handed to another counter meanwhile
        this.metrics.countDelta(d);
        w.deltas.push(d);
        for (const dl of invalidMessagesOf(d, s)) w.deadLetters.push(dl);
        w.next = d.nextOffset;
        w.partitionMax = d.partitionMax;
        this.counts.valid += d.valid;
        this.counts.late += d.late;
        this.counts.invalid += d.invalidIndex.length;
      },
    );
  }

  private isIdle(p: number, w: PartitionWork): boolean {
    return w.inflight === 0 && this.source.isIdle(p, this.cfg.idleTimeoutMs);
  }

  private allIdle(): boolean {
    if (this.work.size === 0) return false;
    for (const [p, w] of this.work) if (!w.idleWritten || !this.isIdle(p, w)) return false;
    return true;
  }

  /**
   * One transaction: every counted batch as a record, the dead letters, the source offsets.
   * Returns whether anything was written. A failed transaction is aborted and thrown (the loop
   * rewinds to the last committed records, or stops on a fatal error).
   */
  private async flush(): Promise<boolean> {
    // What is counted now; batches finishing during the transaction go to the next one.
    const writes: (PartitionWrite & { w: PartitionWork })[] = [];
    for (const [p, w] of this.work) {
      const idle = this.isIdle(p, w);
      if (w.deltas.length === 0 && idle === w.idleWritten) continue;
      const { from, next, partitionMax, deltas, deadLetters } = w;
      writes.push({ partition: p, w, idle, from, next, partitionMax, deltas, deadLetters });
      w.deltas = [];
      w.deadLetters = [];
    }
    if (writes.length === 0) return false;
    const content = transactionOf(writes);
    await this.transactions.write(content, this.source.client);
    for (const x of writes) {
      x.w.from = x.next;
      x.w.idleWritten = x.idle;
    }
    this.counts.flushes++;
    this.metrics.flushes.inc();
    this.metrics.lastAck.set(Date.now() / 1000);
    this.health.acknowledged();
    return true;
  }
}
