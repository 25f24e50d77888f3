/**
 * The Piscina pool on the main-thread side: one task per batch (a task costs tens of µs:
 * results/pool-scaling.json and docs/field-notes.md, so never
 * per event), the batch's bytes transferred. Batches of one partition run one after another,
 * because each needs the partition's maximum event time left by the previous one; batches of
 * different partitions run in parallel.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BatchDelta, BatchTask } from '../shared/messages.js';

export class BatchPool {
  private readonly pool: Piscina;
  /** The last task of each partition: the next one waits for it. */
  private readonly tail = new Map<number, Promise<BatchDelta>>();
  readonly size: number;

  constructor(size: number) {
    this.size = size > 0 ? size : availableParallelism();
    this.pool = new Piscina({
      filename: new URL('./worker.js', import.meta.url).href,
      minThreads: this.size,
      maxThreads: this.size,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /**
   * Runs `make(partitionMax)` for a partition once its previous batch is done; `make` receives
   * the maximum that batch left (or `initialMax` for the first).
   */
  run(partition: number, initialMax: number, make: (partitionMax: number) => BatchTask): Promise<BatchDelta> {
    const prev = this.tail.get(partition);
    const next = (prev ? prev.then((d) => d.partitionMax) : Promise.resolve(initialMax)).then((max) => {
      const task = make(max);
      // The values and the block under ends/offsetDelta move to the worker (no copy).
      const transferList = [
        task.values,
        task.ends.buffer,
        task.offsetDelta.buffer,
        task.timestamps.buffer,
      ] as ArrayBuffer[];
      return this.pool.run(task, { transferList: [...new Set(transferList)] }) as Promise<BatchDelta>;
    });
    this.tail.set(partition, next);
    // Keep the chain short: forget a finished tail.
    next.then(
      () => this.tail.get(partition) === next && this.tail.delete(partition),
      () => this.tail.get(partition) === next && this.tail.delete(partition),
    );
    return next;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
