/** The hooks every role gives its Kafka source: problems said and counted, the reset policy. */
import type { EngineConfig } from '../config/engine-config.js';
import type { Problems } from '../metrics/problems.js';
import type { SourceHooks } from '../source/source-group.js';

export function sourceHooksOf(cfg: EngineConfig, problems: Problems): SourceHooks {
  return {
    onBrokerLost: (m) => problems.problem('kafka', `kafka: ${m}; reconnecting`),
    onRetry: (m) => problems.problem('kafka', m),
    onReset: (m) => problems.repaired('offset-reset', m),
    outOfRange: cfg.offsetOutOfRange,
  };
}
