/**
 * The one loop of every role (docs/architecture.md): take a batch from Kafka, hand it to the role
 * (counted on the pool, or merged from records), and every FLUSH_INTERVAL_MS let the role make a
 * cut durable; a status line every STATUS_INTERVAL_MS; on stop, the role's last flush. What
 * differs between roles is in the Role (role.ts).
 */
import type { EngineConfig } from '../config/engine-config.js';
import { type LiveFigures, liveFiguresOf } from '../metrics/live-figures.js';
import { statusJson, statusOf, statusText } from '../metrics/status-line.js';
import type { LiveCheck } from '../shared/messages.js';
import type { Counts, LoopParts } from './loop-parts.js';
import type { Role } from './role.js';

export type RoleSummary = Counts & { seconds: number };

export class RoleLoop {
  private stopping = false;
  private readonly cfg: EngineConfig;

  /** `now`: the clock of the flush and status intervals, in ms (injected by tests). */
  constructor(
    readonly parts: LoopParts,
    private readonly role: Role,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.cfg = parts.cfg;
    parts.role = role;
  }

  get metrics() {
    return this.parts.metrics;
  }

  get health() {
    return this.parts.health;
  }

  get latencies() {
    return this.parts.latencies;
  }

  get poolSize(): number {
    return this.role.poolSize;
  }

  /** Asks for a graceful stop: the loop ends after its current turn with the role's last flush. */
  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<RoleSummary> {
    const t0 = performance.now();
    const { health, metrics, counts } = this.parts;
    try {
      await this.role.start();
      health.restored = true;
      metrics.lastAck.set(Date.now() / 1000);
      let lastFlushAt = this.now();
      let lastStatus = lastFlushAt;
      let lastConsumed = 0;
      while (!this.stopping) {
        this.role.batches.throwIfFailed();
        health.loopTurned();
        await this.role.beforeBatch(this.now());
        this.role.process(await this.role.batches.next());
        const now = this.now();
        if (now - lastFlushAt >= this.cfg.flushIntervalMs && !this.role.flushing) {
          lastFlushAt = now;
          if ((await this.role.flush()) && this.cfg.exitWhenIdle) break;
        }
        if (this.cfg.statusIntervalMs > 0 && now - lastStatus >= this.cfg.statusIntervalMs) {
          const rate = (counts.consumed - lastConsumed) / ((now - lastStatus) / 1000);
          const status = statusOf(this.live(), rate, this.parts.latencies, this.parts.problems.who);
          process.stderr.write(
            `${this.cfg.statusFormat === 'json' ? statusJson(status) : statusText(status)}\n`,
          );
          lastStatus = now;
          lastConsumed = counts.consumed;
        }
      }
      await this.role.finish();
    } finally {
      await this.role.batches.settle();
      await this.role.close();
      this.parts.problems.close();
    }
    return { ...counts, seconds: (performance.now() - t0) / 1000 };
  }

  /** `ria verify --live` asked over HTTP: undefined for a counter (it keeps no documents). */
  verifyLive(): Promise<LiveCheck> | undefined {
    return this.role.verifyLive?.();
  }

  /** Live figures for the dashboard, /readyz and the status line. */
  live(): LiveFigures {
    return liveFiguresOf({
      counts: this.parts.counts,
      acknowledged: this.parts.acknowledged,
      lag: this.role.source.lag(),
      latencies: this.parts.latencies,
      health: this.parts.health,
      lastPollAt: this.role.batches.lastPollAt,
    });
  }
}
