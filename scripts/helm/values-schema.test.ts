import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { valuesSchema } from './values-schema.js';

describe('deploy/helm/ria/values.schema.json', () => {
  it('is what scripts/helm/values-schema.ts generates from the settings (run `npm run docs:config`)', () => {
    const committed = readFileSync(
      new URL('../../deploy/helm/ria/values.schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(valuesSchema());
  });
});
