import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationReference } from './reference.js';

describe('docs/configuration.md', () => {
  it('is what engine/config/settings.ts generates (run `npm run docs:config` after changing a setting)', () => {
    const committed = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(committed).toBe(configurationReference());
  });
});
