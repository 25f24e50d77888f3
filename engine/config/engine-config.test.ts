import { describe, expect, it } from 'vitest';
import { WINDOW_KEY_SPACE } from '../shared/batch-decode.js';
import { checkEngineConfig, type EngineConfig } from './engine-config.js';
import { loadOptions } from './options.js';
import { engineOptions } from './settings.js';

const configWith = (env: Record<string, string>): EngineConfig => loadOptions(engineOptions, [], env).config;

describe('checkEngineConfig', () => {
  it('rejects a window so small that (window, item) keys pass 2^53 before EVENT_TIME_MAX', () => {
    expect(() => checkEngineConfig(configWith({ WINDOW_MS: '1' }))).toThrow(/WINDOW_MS=1 is too small/);
    expect(() => checkEngineConfig(configWith({ WINDOW_MS: '1000' }))).not.toThrow();
    // The smallest window it allows keeps the largest key exact.
    const max = Date.UTC(2100, 0, 1);
    const smallest = Number(
      /WINDOW_MS ≥ (\d+)/.exec(String(catchOf(() => checkEngineConfig(configWith({ WINDOW_MS: '1' })))))![1],
    );
    expect(Math.floor(max / smallest) * WINDOW_KEY_SPACE + WINDOW_KEY_SPACE).toBeLessThanOrEqual(2 ** 53);
    expect(() => checkEngineConfig(configWith({ WINDOW_MS: String(smallest) }))).not.toThrow();
    // An earlier EVENT_TIME_MAX allows smaller windows.
    expect(() =>
      checkEngineConfig(
        configWith({
          WINDOW_MS: '1',
          EVENT_TIME_MAX: '1970-03-01T00:00:00Z',
          EVENT_TIME_MIN: '1970-01-01T00:00:00Z',
        }),
      ),
    ).not.toThrow();
  });
});

function catchOf(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
