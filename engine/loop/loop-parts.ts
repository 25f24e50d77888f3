/**
 * What every role shares with the loop: health, metrics, the problem log, latencies and the
 * counts; and the accounting of a counted delta, done once here for every role.
 */
import type { EngineConfig } from '../config/engine-config.js';
import { Health } from '../metrics/health.js';
import { Latencies } from '../metrics/latency.js';
import { Problems } from '../metrics/problems.js';
import { EngineMetrics } from '../metrics/prometheus.js';
import type { BatchDelta } from '../shared/messages.js';
import type { Role } from './role.js';

export type RoleName = 'engine' | 'merger' | 'counter';

export interface Counts {
  /** Messages taken from Kafka (a merger: events its counters' records cover). */
  consumed: number;
  valid: number;
  invalid: number;
  late: number;
  /** Flushes acknowledged (a counter: transactions committed). */
  flushes: number;
  rebalances: number;
}

export class LoopParts {
  readonly health = new Health();
  readonly latencies = new Latencies();
  readonly metrics: EngineMetrics;
  readonly problems: Problems;
  readonly counts: Counts = { consumed: 0, valid: 0, invalid: 0, late: 0, flushes: 0, rebalances: 0 };
  /** Offsets acknowledged so far, summed over partitions (live figures). */
  acknowledged = 0;
  /** Set once the role exists (its gauges read it at scrape time). */
  role: Role | undefined;

  constructor(
    readonly cfg: EngineConfig,
    readonly name: RoleName,
  ) {
    this.metrics = new EngineMetrics(
      this.health.gauges(
        () => this.role?.source.lag() ?? new Map(),
        () => this.role?.unflushed ?? 0,
      ),
    );
    // Lines of a counter start "counter:", of the engine and the merger "engine:".
    this.problems = new Problems(this.metrics, this.health, name === 'counter' ? 'counter' : 'engine');
  }

  /** A delta counted (on the pool, or read from a counter's record). */
  counted(d: BatchDelta): void {
    this.metrics.countDelta(d);
    this.counts.valid += d.valid;
    this.counts.late += d.late;
    this.counts.invalid += d.invalidIndex.length;
    this.latencies.recordBatch(d.workerNs / 1000);
  }
}
