/**
 * The tests that stop, freeze and restart services (faults, operations) may only touch the local
 * stack's own processes. They never pass silently elsewhere: pointed at other services they fail
 * with the reason, unless the run skips them on purpose with RIA_SKIP_TESTS (a comma-separated
 * list of group names), which the run's end repeats (test/global-setup.ts).
 */
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';
import { skippedGroups } from '../skipped-groups.js';
import { services } from './helpers.js';

const stack = new URL('../../scripts/stack.sh', import.meta.url).pathname;
/** The addresses `ria stack up` serves on (scripts/stack.sh). */
const LOCAL_BROKERS = ['127.0.0.1:9092', 'localhost:9092'];
const LOCAL_ES = ['http://127.0.0.1:9200', 'http://localhost:9200'];

/** Why the configured services are not the local stack's processes, or undefined when they are. */
function notLocalStack(): string | undefined {
  const es = services.elasticsearchHost.replace(/\/+$/, '');
  if (!LOCAL_BROKERS.includes(services.kafkaBroker))
    return `KAFKA_BROKER=${services.kafkaBroker} is not the local stack's broker (${LOCAL_BROKERS[0]})`;
  if (!LOCAL_ES.includes(es))
    return `ELASTICSEARCH_HOST=${es} is not the local stack's Elasticsearch (${LOCAL_ES[0]})`;
  for (const service of ['kafka', 'es']) {
    try {
      execFileSync('bash', [stack, 'pid', service], { stdio: 'pipe' });
    } catch {
      return `the local stack's ${service} is not running under scripts/stack.sh (\`npx ria stack up\`)`;
    }
  }
  return undefined;
}

/**
 * `describe` for a group that stops the local stack's services: it fails with the reason when the
 * services are not the local stack's, and is skipped only when RIA_SKIP_TESTS names `group`.
 */
export function describeOnLocalStack(group: string, name: string, body: () => void): void {
  if (skippedGroups().includes(group)) {
    describe.skip(`${name} [skipped: RIA_SKIP_TESTS=${group}]`, body);
    return;
  }
  describe(name, () => {
    const why = notLocalStack();
    if (why)
      throw new Error(
        `${name}: these tests stop and restart the local stack's services, but ${why}. Unset the variable, or skip them on purpose with RIA_SKIP_TESTS=${group}`,
      );
    body();
  });
}
