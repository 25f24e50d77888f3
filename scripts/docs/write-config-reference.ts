/**
 * `npm run docs:config`: writes what is generated from engine/config/settings.ts —
 * docs/configuration.md and the Helm chart's values.schema.json — and the Grafana dashboard.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderRules } from '../../deploy/prometheus/rendered-rules.js';
import { configurationReference } from '../../engine/config/reference.js';
import { riaDashboard } from '../grafana/dashboard.js';
import { valuesSchema } from '../helm/values-schema.js';

for (const [path, text] of [
  ['../../../docs/configuration.md', configurationReference()],
  ['../../../deploy/helm/ria/values.schema.json', valuesSchema()],
  ['../../../deploy/grafana/ria-dashboard.json', `${JSON.stringify(riaDashboard(), null, 2)}\n`],
  // The chart's rules with its defaults, as a plain file (the compose stack mounts it); needs helm.
  ['../../../deploy/prometheus/ria-rules.yaml', readFileSync(renderRules().path, 'utf8')],
] as const) {
  const target = new URL(path, import.meta.url);
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
