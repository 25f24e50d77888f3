/**
 * Windows, lateness and sessions: the engine uses them, and the producer's ground truth must
 * assume the same (both take these settings; a checkpoint records them).
 */
import { DEFAULT_SESSION_GAP_MS } from '../shared/event-rules.js';
import { opt } from './options.js';

export const windowOptions = {
  windowMs: opt.int('WINDOW_MS', 'window-ms', 1000, 1, 3_600_000, 'event-time tumbling window width in ms'),
  allowedLatenessMs: opt.int(
    'ALLOWED_LATENESS_MS',
    'allowed-lateness-ms',
    2000,
    0,
    86_400_000,
    'how far behind its partition maximum an event may be and still count in its window',
  ),
  sessionGapMs: opt.int(
    'SESSION_GAP_MS',
    'session-gap-ms',
    DEFAULT_SESSION_GAP_MS,
    1,
    7 * 86_400_000,
    'event-time gap that ends a session (sessions, session_conversion_rate)',
  ),
};
