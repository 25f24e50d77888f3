/**
 * Vitest global setup of the unit tests: the chart and rules tests run the real helm and promtool.
 * scripts/tools.sh builds them when missing (`go install`, cached in ~/.cache/ria/tools; no root)
 * and is a quick no-op otherwise — part of `npm ci && npm test` being the whole test command.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../engine/shared/package-root.js';

export default function setup(): void {
  const r = spawnSync('bash', [join(packageRoot(import.meta.url), 'scripts', 'tools.sh')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/tools.sh failed (exit ${r.status}): see its output above`);
}
