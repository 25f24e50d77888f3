/**
 * The single engine's input: Kafka events counted on the pool (decode, validate, lateness, count
 * per id), invalid ones sent to the dead-letter topic; a batch's delta moves its partition's cut.
 */
import type { EngineConfig } from '../config/engine-config.js';
import type { Restored } from '../flusher/flusher-link.js';
import type { Health } from '../metrics/health.js';
import type { Problems } from '../metrics/problems.js';
import { BatchPool } from '../pool/batch-pool.js';
import { DeadLetters, invalidMessagesOf } from '../source/dead-letters.js';
import type { Segment } from '../source/rdkafka-batch.js';
import { engineSourceOf, type Source } from '../source/source-group.js';
import type { AggregatorInput, InputContext, InputMark } from './aggregator.js';
import type { LoopParts } from './loop-parts.js';
import { sourceHooksOf } from './source-hooks.js';

export class PoolInput implements AggregatorInput {
  readonly source: Source;
  readonly pool: BatchPool;
  private readonly deadLetters: DeadLetters;

  constructor(
    private readonly cfg: EngineConfig,
    private readonly parts: LoopParts,
  ) {
    this.source = engineSourceOf(cfg, sourceHooksOf(cfg, parts.problems));
    this.deadLetters = new DeadLetters(cfg, cfg.kafkaTopic);
    this.pool = new BatchPool(cfg.poolSize);
  }

  async start(restored: Restored): Promise<void> {
    await this.deadLetters.start(restored.dlqEnd, restored.dlqCovered);
  }

  process(segments: Segment[], ctx: InputContext): void {
    for (const s of segments) this.parts.counts.consumed += s.count;
    const arrivedAt = Date.now();
    ctx.batches.countBatch(
      segments,
      (s) => ctx.cut.maxOf(s.partition),
      (s, d) => {
        if (d.invalidIndex.length > 0)
          for (const { message, reason } of invalidMessagesOf(d, s)) this.deadLetters.send(message, reason);
        ctx.delta(d, arrivedAt);
        ctx.applied();
        ctx.cut.counted(d.partition, d.nextOffset, d.partitionMax);
      },
    );
  }

  isIdle(p: number): boolean {
    return this.source.isIdle(p, this.cfg.idleTimeoutMs);
  }

  async backPressure(health: Health): Promise<void> {
    if (!this.deadLetters.backlogged) return;
    health.paused = 'paused: waiting for Kafka to take the dead letters';
    await this.deadLetters.drain();
  }

  async settle(problems: Problems): Promise<InputMark> {
    await this.deadLetters.settle((m) => problems.problem('kafka', m));
    return { dlqEnd: this.deadLetters.endOffset, dlqCovered: this.deadLetters.coveredOffsets };
  }

  async mayExit(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.deadLetters.close(), this.pool.close()]);
  }
}
