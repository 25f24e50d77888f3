/**
 * One engine process, whatever its role: the one loop (loop/role-loop.ts) with the role's own
 * part. The single engine (events counted on the pool, loop/pool-input.ts) and the merger (the
 * counters' records, scale/merger-input.ts) both keep Elasticsearch (loop/aggregator.ts); a
 * scaled-out counter writes its deltas to Kafka (scale/counter.ts).
 */
import type { EngineConfig } from './config/engine-config.js';
import { Aggregator } from './loop/aggregator.js';
import { LoopParts } from './loop/loop-parts.js';
import { PoolInput } from './loop/pool-input.js';
import { RoleLoop } from './loop/role-loop.js';
import { CounterRole } from './scale/counter.js';
import { MergerInput } from './scale/merger-input.js';

export type { RoleSummary } from './loop/role-loop.js';

export function createEngine(cfg: EngineConfig): RoleLoop {
  if (cfg.role === 'counter') {
    const parts = new LoopParts(cfg, 'counter');
    return new RoleLoop(parts, new CounterRole(cfg, parts));
  }
  const parts = new LoopParts(cfg, cfg.role === 'merger' ? 'merger' : 'engine');
  const input = cfg.role === 'merger' ? new MergerInput(cfg, parts) : new PoolInput(cfg, parts);
  return new RoleLoop(parts, new Aggregator(cfg, parts, input));
}
