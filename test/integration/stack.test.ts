/** `ria stack up` on a running stack is a no-op, and `status` reports both services up. */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from './helpers.js';

const cli = new URL('../../bin/ria.js', import.meta.url).pathname;

function ria(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('ria stack (real services)', () => {
  beforeAll(requireServices);

  it('up again is a no-op that leaves the running services as they are', () => {
    const before = ria('stack', 'status');
    const up = ria('stack', 'up');
    expect(up.code).toBe(0);
    if (!process.env.KAFKA_BROKER) expect(up.out).toContain('kafka already running');
    if (!process.env.ELASTICSEARCH_HOST) expect(up.out).toContain('elasticsearch already running');
    expect(up.out).toContain('present');
    const after = ria('stack', 'status');
    expect(after.code).toBe(0);
    // Same pids before and after: nothing was restarted.
    const pids = (s: string) => s.match(/pid=\d+/g);
    expect(pids(after.out)).toEqual(pids(before.out));
  });

  it('rejects a bad setting with one line naming it', () => {
    const r = ria('stack', 'up', '--topic-partitions', 'many');
    expect(r.code).toBe(2);
    expect(r.out.trim()).toBe(
      'ria: error: invalid setting --topic-partitions: expected a whole number, got "many"',
    );
  });
});
