/**
 * The engine's configuration as a type, and the checks that span several settings. Both roles
 * (the single engine or merger in engine.ts, and the scaled-out counter) take it from here.
 */
import { ConfigError } from '../errors/errors.js';
import { WINDOW_KEY_SPACE } from '../shared/batch-decode.js';
import type { TimeRange } from '../shared/event-reference.js';
import { parseIsoTimestamp } from '../shared/event-rules.js';
import type { ConfigOf } from './options.js';
import type { engineOptions } from './settings.js';

export type EngineConfig = ConfigOf<typeof engineOptions>;

function timeSetting(text: string, name: string): number {
  const t = parseIsoTimestamp(text);
  if (Number.isNaN(t))
    throw new ConfigError(`invalid setting ${name}: expected ISO-8601 with a zone, got "${text}"`);
  return t;
}

/** EVENT_TIME_MIN / EVENT_TIME_MAX as milliseconds; a bad or reversed pair stops the start. */
export function eventTimeRangeOf(cfg: Pick<EngineConfig, 'minEventTime' | 'maxEventTime'>): TimeRange {
  const minMs = timeSetting(cfg.minEventTime, 'EVENT_TIME_MIN');
  const maxMs = timeSetting(cfg.maxEventTime, 'EVENT_TIME_MAX');
  if (minMs >= maxMs) throw new ConfigError('invalid settings: EVENT_TIME_MIN must be before EVENT_TIME_MAX');
  return { minMs, maxMs };
}

/**
 * Settings whose combination would overflow a number inside the engine stop the start with one
 * line naming them, instead of wrapping silently: a window number times the batch's item space
 * must stay an exact integer in a double (below 2^53) for every event time EVENT_TIME_MAX allows.
 */
export function checkEngineConfig(cfg: EngineConfig): void {
  const { maxMs } = eventTimeRangeOf(cfg);
  const smallest = Math.ceil((maxMs / 2 ** 53) * WINDOW_KEY_SPACE);
  if (cfg.windowMs < smallest)
    throw new ConfigError(
      `invalid settings: WINDOW_MS=${cfg.windowMs} is too small for EVENT_TIME_MAX=${cfg.maxEventTime}: window numbers up to that time would not be exact; use WINDOW_MS ≥ ${smallest} or an earlier EVENT_TIME_MAX`,
    );
}
