/**
 * `npm run docs:config`: writes what is generated from engine/config/settings.ts —
 * docs/configuration.md and the Helm chart's values.schema.json.
 */
import { writeFileSync } from 'node:fs';
import { configurationReference } from '../../engine/config/reference.js';
import { valuesSchema } from '../helm/values-schema.js';

for (const [path, text] of [
  ['../../../docs/configuration.md', configurationReference()],
  ['../../../deploy/helm/ria/values.schema.json', valuesSchema()],
] as const) {
  const target = new URL(path, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
