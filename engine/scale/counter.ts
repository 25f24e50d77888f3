/**
 * A counter (`ria engine --role counter`): one of any number of engines in one consumer group.
 * Kafka assigns it source partitions; its pool decodes, validates and counts them exactly as the
 * single engine does (lateness judged per partition, in offset order), and each flush writes, in
 * one Kafka transaction: a record per batch to the deltas topic (partition = source partition),
 * the dead letters, and the source offsets. The merger reads committed records only, so every
 * source offset is counted exactly once whatever dies when.
 *
 * State per source partition is only where it is (next offset) and its maximum event time (the
 * cut, source/cut-tracker.ts); both are in its last committed record, which the next owner reads
 * on assignment. A rebalance finishes the current flush (or aborts it) before the partitions are
 * given back. The loop is the one every role runs (loop/role-loop.ts); this is the counter's part.
 */

import Kafka from 'node-rdkafka';
import type { EngineConfig } from '../config/engine-config.js';
import { ServiceError } from '../errors/errors.js';
import type { LoopParts } from '../loop/loop-parts.js';
import type { Role } from '../loop/role.js';
import { sourceHooksOf } from '../loop/source-hooks.js';
import { BatchPool } from '../pool/batch-pool.js';
import { schemaCacheOf } from '../schema/schema-cache.js';
import { ensureTopics } from '../setup/topics.js';
import { deltasTopic, dlqTopic } from '../shared/indices.js';
import type { BatchDelta } from '../shared/messages.js';
import { BatchStream } from '../source/batch-stream.js';
import { CutTracker } from '../source/cut-tracker.js';
import { type InvalidMessage, invalidMessagesOf } from '../source/dead-letters.js';
import { KafkaSource, OFFSET_BEGINNING } from '../source/kafka-source.js';
import type { Segment } from '../source/rdkafka-batch.js';
import { CounterTransactions, type PartitionWrite, transactionOf } from './counter-transactions.js';
import { ensureDeltasTopic } from './deltas-topic.js';
import { lastRecords } from './last-records.js';

/** One assigned source partition: what its next records cover (its position is in the cut). */
interface PartitionWork {
  /** First source offset not yet in a committed record. */
  from: number;
  /** Idleness in the last committed record. */
  idleWritten: boolean;
  deltas: BatchDelta[];
  deadLetters: { message: InvalidMessage; reason: string }[];
  inflight: number;
}

type Rebalance = { kind: 'assign'; partitions: number[] } | { kind: 'revoke' };

export class CounterRole implements Role {
  readonly source: KafkaSource;
  readonly batches: BatchStream;
  readonly unflushed = 0;
  readonly flushing = false;
  private readonly pool: BatchPool;
  private readonly transactions: CounterTransactions;
  private readonly work = new Map<number, PartitionWork>();
  private readonly cut: CutTracker;
  private readonly rebalances: Rebalance[] = [];
  private readonly deltas: string;
  private readonly dlq: string;
  /** Bumped by every rebalance: a batch dispatched before it is dropped when it comes back. */
  private generation = 0;
  private closing = false;

  constructor(
    private readonly cfg: EngineConfig,
    private readonly parts: LoopParts,
  ) {
    this.deltas = deltasTopic(cfg.kafkaTopic, cfg.consumerGroup);
    this.dlq = dlqTopic(cfg.kafkaTopic);
    this.cut = new CutTracker(cfg.allowedLatenessMs);
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
      ...sourceHooksOf(cfg, parts.problems),
      config: {
        // Eager rebalancing: every partition is given back before any is handed out again.
        'partition.assignment.strategy': 'range',
        // Partitions added to the topic reach the group (a rebalance) within this delay.
        'topic.metadata.refresh.interval.ms': cfg.partitionDiscoveryMs,
      },
    });
    this.pool = new BatchPool(cfg.poolSize);
    this.batches = new BatchStream(
      this.source,
      this.pool,
      cfg,
      parts.problems,
      parts.health,
      schemaCacheOf(cfg, parts.problems, parts.health),
    );
    this.transactions = new CounterTransactions(cfg);
  }

  get poolSize(): number {
    return this.pool.size;
  }

  async start(): Promise<void> {
    await this.transactions.connect();
    await this.source.connect();
    await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
    await ensureTopics(this.cfg, [{ name: this.dlq, partitions: 1 }]);
    this.source.subscribe();
  }

  /** Acts on the rebalances librdkafka reported, in order. */
  async beforeBatch(): Promise<void> {
    while (this.rebalances.length > 0) {
      const r = this.rebalances.shift()!;
      // Batches at the pool finish first: they are still ours, and the revoke flush commits them.
      await this.batches.settle();
      this.generation++;
      this.parts.counts.rebalances++;
      if (r.kind === 'revoke') {
        // What is counted so far is ours to commit until we give the partitions back.
        await this.transact().catch((e) =>
          this.parts.problems.problem(
            'kafka',
            `flush before giving partitions back failed: ${(e as Error).message}`,
          ),
        );
        this.work.clear();
        this.cut.clear();
        this.source.unassign();
        continue;
      }
      await this.assign(r.partitions);
    }
  }

  /** Partitions handed to this counter: each resumes where its last committed record ends. */
  private async assign(partitions: number[]): Promise<void> {
    // The topic may have grown: new source partitions need their deltas partitions first.
    await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
    const last = await lastRecords(this.cfg, this.deltas, partitions);
    const offsets = new Map<number, number>();
    this.work.clear();
    this.cut.clear();
    for (const p of partitions) {
      const rec = last.get(p)?.record;
      const next = rec ? rec.next : 0;
      offsets.set(p, rec ? rec.next : OFFSET_BEGINNING);
      this.cut.track(p, next, rec ? rec.partitionMax : Number.NEGATIVE_INFINITY);
      this.work.set(p, {
        from: next,
        idleWritten: rec?.idle ?? false,
        deltas: [],
        deadLetters: [],
        inflight: 0,
      });
    }
    this.source.assign(offsets);
    process.stderr.write(`counter: assigned partitions ${partitions.join(', ') || '(none)'}\n`);
  }

  process(segments: Segment[]): void {
    // A rebalance came during the call: these may no longer be ours (read again from the records).
    if (this.rebalances.length > 0) return;
    const mine = segments.filter((s) => this.work.has(s.partition));
    const generation = this.generation;
    // The partitions' work as it is now: a rebalance may replace it before the deltas come back.
    const works = new Map(mine.map((s) => [s.partition, this.work.get(s.partition)!]));
    for (const s of mine) works.get(s.partition)!.inflight++;
    this.batches.countBatch(
      mine,
      (s) => this.cut.maxOf(s.partition),
      (s, d) => {
        const w = works.get(s.partition)!;
        w.inflight--;
        if (generation !== this.generation) return; // handed to another counter meanwhile
        this.parts.counted(d);
        w.deltas.push(d);
        for (const dl of invalidMessagesOf(d, s)) w.deadLetters.push(dl);
        this.cut.counted(s.partition, d.nextOffset, d.partitionMax);
      },
    );
  }

  /** A transaction; true when nothing was written and every partition is idle (--exit-when-idle). */
  async flush(): Promise<boolean> {
    // A rebalance waits: its offsets would carry a generation the group no longer has.
    if (this.rebalances.length > 0) return false;
    const wrote = await this.transact().catch((e) => this.rewind(e));
    return !wrote && this.allIdle();
  }

  async finish(): Promise<void> {
    await this.batches.drain();
    await this.transact();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.source.close();
    await this.transactions.close();
    await this.pool.close();
  }

  /**
   * After an aborted transaction (broker restart, time-out): what it held is dropped and the
   * partitions are read again from their last committed records, as if just assigned. A fatal
   * error (another process took this transactional.id) stops the counter.
   */
  private async rewind(e: unknown): Promise<boolean> {
    const cause = e instanceof ServiceError ? (e.cause as Kafka.LibrdKafkaError | undefined) : undefined;
    if (!cause || cause.isFatal) throw e;
    this.parts.problems.problem(
      'kafka',
      `${(e as Error).message}; reading the partitions again from the last commit`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    this.rebalances.unshift({ kind: 'assign', partitions: [...this.work.keys()] });
    return true;
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
  private async transact(): Promise<boolean> {
    // What is counted now; batches finishing during the transaction go to the next one.
    const writes: (PartitionWrite & { w: PartitionWork })[] = [];
    for (const [p, w] of this.work) {
      const idle = this.isIdle(p, w);
      if (w.deltas.length === 0 && idle === w.idleWritten) continue;
      const { from, deltas, deadLetters } = w;
      const next = this.cut.nextOf(p);
      const partitionMax = this.cut.maxOf(p);
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
    const { counts, metrics, health } = this.parts;
    counts.flushes++;
    metrics.flushes.inc();
    metrics.lastAck.set(Date.now() / 1000);
    health.acknowledged();
    return true;
  }
}
