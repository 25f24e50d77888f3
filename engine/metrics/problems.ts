/**
 * Where the engine's retried problems go: counted in /metrics, remembered by the health checks,
 * and written to the log without flooding it (problem-log.ts) — refused documents as one line per
 * (index, status, reason) per interval, with a count and an example id.
 */
import type { Refusal } from '../shared/messages.js';
import type { Health } from './health.js';
import { ProblemLog } from './problem-log.js';
import type { EngineMetrics } from './prometheus.js';

export class Problems {
  private readonly log: ProblemLog;

  constructor(
    private readonly metrics: EngineMetrics,
    private readonly health: Health,
    /** The role, first on every line: engine or counter. */
    readonly who = 'engine',
    write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.log = new ProblemLog(write);
  }

  /** A retried failure of Kafka, Elasticsearch or the schema registry: the loop goes on. */
  problem(service: 'kafka' | 'elasticsearch' | 'schema-registry', message: string): void {
    this.metrics.problems.inc();
    // The registry's outage shows in /readyz as the pause it causes (schema-cache.ts).
    if (service !== 'schema-registry') this.health.problem(service, message);
    this.log.line(`${this.who}: ${message}`);
  }

  /** A repair made without anyone's help: one line, and counted by kind in /metrics. */
  repaired(what: string, message: string): void {
    this.metrics.repairs.inc({ what });
    this.log.line(`${this.who}: ${message}`);
  }

  /** Something an operator must hear of (a lost checkpoint…), not a failing service. */
  warn(message: string): void {
    this.log.line(`${this.who}: ${message}`);
  }

  refused(refusals: Refusal[]): void {
    for (const r of refusals) {
      this.metrics.refused.inc({ index: r.index, reason: r.reason }, r.count);
      this.health.problem('elasticsearch', `refuses documents of ${r.index} (HTTP ${r.status} ${r.reason})`);
      this.log.report(
        `refused\u0000${r.index}\u0000${r.status}\u0000${r.reason}`,
        r.count,
        (n) =>
          `engine: elasticsearch refused ${n} documents of ${r.index} (HTTP ${r.status} ${r.reason}: ${r.detail}; e.g. id ${r.example}); ${r.retriable ? 'retrying' : 'retrying every 10 s, offsets held back'}`,
      );
    }
  }

  close(): void {
    this.log.close();
  }
}
