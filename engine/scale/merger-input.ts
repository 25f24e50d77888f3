/**
 * The merger's input (`ria engine --role merger`; an aggregator's input, loop/aggregator.ts): the
 * counters' committed records of the deltas topic, one partition per source partition. Each
 * record's deltas go to the flusher exactly as the pool's would; the record also carries the
 * source partition's maximum event time and whether its counter found it idle. The cut's offsets
 * are the deltas topic's.
 */
import type { EngineConfig } from '../config/engine-config.js';
import { ConfigError, RiaError } from '../errors/errors.js';
import type { Restored } from '../flusher/flusher-link.js';
import type { AggregatorInput, InputContext, InputMark } from '../loop/aggregator.js';
import type { LoopParts } from '../loop/loop-parts.js';
import { sourceHooksOf } from '../loop/source-hooks.js';
import { deltasTopic, mergerGroup } from '../shared/indices.js';
import type { BatchDelta } from '../shared/messages.js';
import { endOffset } from '../source/end-offset.js';
import { KafkaSource } from '../source/kafka-source.js';
import { type Segment, segmentViews } from '../source/rdkafka-batch.js';
import type { SourceHooks } from '../source/source-group.js';
import { decodeDeltaRecord } from './delta-record.js';
import { ensureDeltasTopic } from './deltas-topic.js';
import { lastRecords } from './last-records.js';

/** What one record tells the engine about its source partition. */
export interface RecordProgress {
  partition: number;
  /** Deltas-topic offset to resume from once this record is applied. */
  nextOffset: number;
  partitionMax: number;
  /** Invalid messages the counter dead-lettered for this record. */
  invalid: number;
}

/**
 * The merger's consumer: the counters' committed records only (docs/scale-out.md). CONSUMER_GROUP
 * is the counters' group: it names their deltas topic; the merger commits in a group of its own.
 */
export function mergerSourceOf(cfg: EngineConfig, hooks: SourceHooks): KafkaSource {
  const topic = deltasTopic(cfg.kafkaTopic, cfg.consumerGroup);
  return new KafkaSource(cfg, topic, mergerGroup(cfg.consumerGroup), {
    config: { 'isolation.level': 'read_committed' },
    ...hooks,
  });
}

export class MergerInput implements AggregatorInput {
  readonly source: KafkaSource;
  readonly pool = undefined;
  /** Per source partition, whether its last record said it was idle. */
  private readonly recordIdle = new Map<number, boolean>();
  /** Per source partition, the source offset its last record reached. */
  private readonly recordNext = new Map<number, number>();

  constructor(
    private readonly cfg: EngineConfig,
    private readonly parts: LoopParts,
  ) {
    this.source = mergerSourceOf(cfg, sourceHooksOf(cfg, parts.problems));
  }

  async start(restored: Restored): Promise<void> {
    await ensureDeltasTopic(this.cfg, this.source.client, this.cfg.kafkaTopic, this.cfg.consumerGroup);
    await this.restore(restored.offsets);
  }

  process(segments: Segment[], ctx: InputContext): void {
    const { counts, metrics } = this.parts;
    const delta = (d: BatchDelta) => {
      counts.consumed += d.valid + d.invalidIndex.length;
      ctx.delta(d);
    };
    for (const s of segments)
      this.apply(s, delta, (r) => {
        counts.invalid += r.invalid;
        if (r.invalid > 0) metrics.events.inc({ outcome: 'invalid' }, r.invalid);
        ctx.cut.counted(r.partition, r.nextOffset, r.partitionMax);
        ctx.applied();
      });
  }

  async backPressure(): Promise<void> {}

  /** Its counters dead-lettered their invalid events: nothing of its own to settle. */
  async settle(): Promise<InputMark> {
    return { dlqEnd: 0, dlqCovered: {} };
  }

  async mayExit(): Promise<boolean> {
    return this.coversSourceEnd();
  }

  async close(): Promise<void> {}

  /** Idleness said by the last record already applied (from the checkpoint's offsets). */
  private async restore(offsets: Record<number, number>): Promise<void> {
    const partitions = Object.keys(offsets).map(Number);
    const topic = deltasTopic(this.cfg.kafkaTopic, this.cfg.consumerGroup);
    for (const [p, { record, offset }] of await lastRecords(this.cfg, topic, partitions))
      if (offset < (offsets[p] ?? 0)) {
        this.recordIdle.set(p, record.idle);
        this.recordNext.set(p, record.next);
      }
  }

  /** The records of one deltas partition, in order: `delta` for each delta, `applied` per record. */
  private apply(s: Segment, delta: (d: BatchDelta) => void, applied: (r: RecordProgress) => void): void {
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
        });
      for (const d of r.deltas) {
        // Spans merged with another gap could join what this merger keeps apart.
        if (d.sessionGapMs !== this.cfg.sessionGapMs)
          throw new ConfigError(
            `invalid setting SESSION_GAP_MS=${this.cfg.sessionGapMs}: the counters of ${this.cfg.consumerGroup} count with SESSION_GAP_MS=${d.sessionGapMs}; set the same on every counter and the merger`,
          );
        delta(d);
      }
      this.recordIdle.set(s.partition, r.idle);
      this.recordNext.set(s.partition, r.next);
      applied({
        partition: s.partition,
        nextOffset: s.firstOffset + offsetDelta[i] + 1,
        partitionMax: r.partitionMax,
        invalid: r.invalid,
      });
    }
  }

  /**
   * A partition whose watermark holds no window open: its counter said so and the merger has
   * read it to the end. A counter that died says nothing, so its windows wait for it, as a
   * single engine's would.
   */
  isIdle(p: number): boolean {
    return this.recordIdle.get(p) === true && this.source.isIdle(p, 0);
  }

  /**
   * Whether the records read so far reach the source topic's current end on every partition.
   * `--exit-when-idle` asks this too: idle records of an earlier run (a merger rebuilding after a
   * lost checkpoint reads them all first) must not end a run whose counters have new input to
   * count. Source offsets are the counters' positions after their last message, so a source
   * written with transactions (a commit marker last) would never reach its end here.
   */
  private async coversSourceEnd(): Promise<boolean> {
    for (const p of await this.source.partitionIds()) {
      const end = await endOffset(this.source.client, this.cfg.kafkaTopic, p);
      if ((this.recordNext.get(p) ?? 0) < end) return false;
    }
    return true;
  }
}
