/**
 * The pool stage alone (decode, validate, count; no Kafka): pre-made batches of producer events
 * through BatchPool with 1 and 2 workers. Shows what the pool does with more threads when the
 * source is not the limit.
 */
import { BatchPool } from '../../engine/pool/batch-pool.js';
import { Catalog } from '../../engine/producer/catalog.js';
import { EventMaker } from '../../engine/producer/event-maker.js';
import { Random } from '../../engine/producer/random.js';
import { DEFAULT_FUNNEL, SessionSimulator } from '../../engine/producer/sessions.js';
import { ZipfSampler } from '../../engine/producer/zipf.js';
import type { BatchTask } from '../../engine/shared/messages.js';
import { median } from '../machine.js';

const PARTITIONS = 6;
const PER_BATCH = 10_000;

function makeBatch(maker: EventMaker, t0: number): { bytes: Uint8Array; ends: Int32Array } {
  const chunks: Buffer[] = [];
  const ends = new Int32Array(PER_BATCH);
  let pos = 0;
  for (let k = 0; k < PER_BATCH; k++) {
    const ev = maker.make(t0 + k);
    chunks.push(Buffer.from(maker.buffer.subarray(0, ev.length)));
    pos += ev.length;
    ends[k] = pos;
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), ends };
}

export async function poolScaling(quick: boolean) {
  const catalog = new Catalog(10_000, 2000, 'pool');
  const rng = new Random('pool');
  const maker = new EventMaker(
    catalog,
    new SessionSimulator(catalog, new ZipfSampler(2000, 1.1), DEFAULT_FUNNEL, rng, 1000, 3000),
    rng,
    {
      format: 'json',
      timestampFormat: 'iso',
      mix: { outOfOrder: 0, late: 0, invalid: 0 },
      allowedLatenessMs: 2000,
      windowMs: 1000,
    },
  );
  const batches = Array.from({ length: 12 }, (_, i) =>
    makeBatch(maker, Date.UTC(2026, 10, 28) + i * PER_BATCH),
  );
  const rounds = quick ? 60 : 240;
  const repeats = quick ? 1 : 3;
  const results: { workers: number; eventsPerSecond: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    for (const workers of [1, 2]) {
      const pool = new BatchPool(workers);
      const offsets = new Array(PARTITIONS).fill(0);
      const run = async (n: number) => {
        const jobs = [];
        for (let i = 0; i < n; i++) {
          const p = i % PARTITIONS;
          const b = batches[i % batches.length];
          jobs.push(
            pool.run([{ partition: p, initialMax: Number.NEGATIVE_INFINITY }], ([max]): BatchTask[] => {
              const values = new ArrayBuffer(b.bytes.length);
              new Uint8Array(values).set(b.bytes);
              const task: BatchTask = {
                partition: p,
                firstOffset: offsets[p],
                values,
                ends: b.ends.slice(), // moved to the worker with the values
                offsetDelta: Int32Array.from(b.ends, (_, k) => k),
                timestamps: new Float64Array(b.ends.length).fill(-1),
                maxAheadMs: Number.POSITIVE_INFINITY,
                partitionMax: max,
                windowMs: 1000,
                allowedLatenessMs: 2000,
                sessionGapMs: 1_800_000,
                format: 'json',
                range: { minMs: Date.UTC(2000, 0, 1), maxMs: Date.UTC(2100, 0, 1) },
                sampleEvery: 64,
              };
              offsets[p] += PER_BATCH;
              return [task];
            }),
          );
          // Bounded in flight, as the engine does.
          if (jobs.length >= 8) await jobs.shift();
        }
        await Promise.all(jobs);
      };
      await run(12); // warm-up
      const t0 = performance.now();
      await run(rounds);
      const seconds = (performance.now() - t0) / 1000;
      await pool.close();
      results.push({ workers, eventsPerSecond: (rounds * PER_BATCH) / seconds });
    }
  }
  const by = (w: number) => median(results.filter((x) => x.workers === w).map((x) => x.eventsPerSecond));
  return {
    batchEvents: PER_BATCH,
    batches: rounds,
    results,
    median: { 1: by(1), 2: by(2) },
    speedup: by(2) / by(1),
  };
}
