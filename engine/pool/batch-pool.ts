/**
 * The Piscina pool on the main-thread side: one task per group of segments (a task costs tens of
 * µs: results/pool-scaling.json and docs/field-notes.md, so never per event), the batch's bytes
 * transferred. Batches of one partition run one after another,
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
   * Runs one pool task for a group of segments (of different partitions) once each partition's
   * previous batch is done; `make` receives, per partition of `parts`, the maximum that batch left
   * (or its `initialMax` for the first). Resolves with one delta per part, in order.
   */
  run(
    parts: { partition: number; initialMax: number }[],
    make: (maxes: number[]) => BatchTask[],
  ): Promise<BatchDelta[]> {
    const maxes = parts.map(({ partition, initialMax }) => {
      const prev = this.tail.get(partition);
      return prev ? prev.then((d) => d.partitionMax) : initialMax;
    });
    const next = Promise.all(maxes).then((m) => {
      const tasks = make(m);
      // The values and the block under ends/offsetDelta/timestamps move to the worker (no copy).
      const transferList = tasks.flatMap((t) => [
        t.values,
        t.ends.buffer,
        t.offsetDelta.buffer,
        t.timestamps.buffer,
      ]);
      return this.pool.run(tasks, { transferList: [...new Set(transferList)] as ArrayBuffer[] }) as Promise<
        BatchDelta[]
      >;
    });
    parts.forEach(({ partition }, i) => {
      const mine = next.then((ds) => ds[i]);
      this.tail.set(partition, mine);
      // Keep the chains short: forget a finished tail.
      const forget = () => this.tail.get(partition) === mine && this.tail.delete(partition);
      mine.then(forget, forget);
    });
    return next;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
