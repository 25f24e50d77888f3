/**
 * Vitest global setup of the integration tests: the real local Kafka and Elasticsearch must be
 * running. `ria stack up` is a no-op when they are (a few hundred ms), and otherwise downloads
 * (once) and starts them, with the topics and index templates — so `npm ci && npm test` is the
 * whole test command on a fresh clone. What this run started, it stops at the end; and the end
 * repeats which test groups RIA_SKIP_TESTS left out (test/skipped-groups.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../engine/shared/package-root.js';
import { skippedGroups } from './skipped-groups.js';

const root = packageRoot(import.meta.url);
const ria = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'ria.js'), 'stack', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });

export default function setup(): () => void {
  // Pointed at services of its own (KAFKA_BROKER / ELASTICSEARCH_HOST), `up` only creates topics
  // and templates there; either way it is the one step to run.
  const wasUp = ria('status').status === 0;
  const up = ria('up');
  if (up.status !== 0) throw new Error(`ria stack up failed (exit ${up.status}): see its output above`);
  return () => {
    const skipped = skippedGroups();
    if (skipped.length > 0)
      process.stdout.write(
        `\nNOTE: test groups skipped on purpose (RIA_SKIP_TESTS): ${skipped.join(', ')} — they did not run\n`,
      );
    if (!wasUp && !process.env.RIA_KEEP_STACK) ria('down');
  };
}
