import { describe, expect, it } from 'vitest';
import { checkFetchBudget, FETCH_SETTINGS } from './fetch-settings.js';

describe('checkFetchBudget', () => {
  it('our settings leave a batch far below 2 GiB', () => {
    expect(() => checkFetchBudget({ ...FETCH_SETTINGS })).not.toThrow();
  });

  it('a prefetch queue and fetch that could reach 2 GiB stop the start, naming both', () => {
    expect(() => checkFetchBudget({ ...FETCH_SETTINGS, 'queued.max.messages.kbytes': 2_097_151 })).toThrow(
      /queued\.max\.messages\.kbytes \(2097151\) and fetch\.max\.bytes \(52428800\)/,
    );
    expect(() =>
      checkFetchBudget({ ...FETCH_SETTINGS, 'fetch.max.bytes': 2 ** 31 - 65_536 * 1024 }),
    ).toThrow();
    expect(() =>
      checkFetchBudget({ ...FETCH_SETTINGS, 'fetch.max.bytes': 2 ** 31 - 65_536 * 1024 - 1 }),
    ).not.toThrow();
  });
});
