/**
 * Failures inside the flusher thread end the engine with one line and a non-zero exit, never a
 * hang (the test's time-out bounds it; no clock is asserted): an uncaught exception in the thread,
 * the thread exiting, and a full checkpoint disk — a real one, without root: the engine runs in
 * an unprivileged user and mount namespace (`unshare -rm`) with a 256 KiB tmpfs mounted on its
 * checkpoint directory, so the kernel itself answers ENOSPC. No root is needed, but the kernel
 * must allow unprivileged user namespaces (some distributions turn them off, and only root turns
 * them on): when it does not, the test fails with that reason — a normal user who cannot change
 * it leaves this one test out on purpose with RIA_SKIP_TESTS=full-disk.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInGroup } from '../skipped-groups.js';
import { newTopic, requireServices } from './helpers.js';
import { ria } from './run-ria.js';

const quiet = ['--status-interval-ms', '0', '--dashboard-port', '0', '--flush-interval-ms', '100'];

/** Runs the engine on a topic with traffic until it stops by itself; returns its end and how long it took after `since`. */
async function runUntilItStops(
  topic: string,
  checkpoint: string,
  env: NodeJS.ProcessEnv = {},
  users = 1000,
  wrap: string[] = [],
) {
  const producer = ria([
    'produce',
    '--kafka-topic',
    topic,
    '--rate',
    '20000',
    '--duration',
    '20',
    '--users',
    String(users),
    '--quiet',
  ]);
  const engine = ria(['engine', '--kafka-topic', topic, '--checkpoint-dir', checkpoint, ...quiet], env, wrap);
  const t0 = Date.now();
  const end = await engine.done;
  producer.child.kill('SIGINT');
  await producer.done;
  return { ...end, seconds: (Date.now() - t0) / 1000 };
}

const errorLines = (out: string) => out.split('\n').filter((l) => l.startsWith('ria: error:'));

describe('failures inside the flusher thread (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('an uncaught exception in the flusher ends the engine with one line and a non-zero exit', async () => {
    const { topic, checkpoint } = await newTopic('ria-flusher-throw');
    const r = await runUntilItStops(topic, checkpoint, { RIA_TEST_FLUSHER_FAULT: 'throw:5' });
    expect(r.code, r.out).not.toBe(0);
    expect(errorLines(r.out)).toEqual([
      'ria: error: flusher thread failed: injected flusher fault at flush 5',
    ]);
    expect(r.out.split('injected flusher fault').length - 1).toBe(1);
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('a flush failing with a retriable error settles its waiter: the engine ends with one line, no hang', async () => {
    // Before, the link only logged a non-fatal flush error: that flush's waiter never settled, the
    // engine waited on it for ever (and the next reply would have settled the wrong flush).
    const { topic, checkpoint } = await newTopic('ria-flusher-retriable');
    const r = await runUntilItStops(topic, checkpoint, { RIA_TEST_FLUSHER_FAULT: 'retriable:5' });
    expect(r.code, r.out).not.toBe(0);
    expect(errorLines(r.out)).toEqual([
      'ria: error: flush failed: injected retriable flush failure at flush 5',
    ]);
    rmSync(checkpoint, { recursive: true, force: true });
  }, 90_000);

  it('the flusher thread exiting ends the engine with one line and a non-zero exit', async () => {
    const { topic, checkpoint } = await newTopic('ria-flusher-exit');
    const r = await runUntilItStops(topic, checkpoint, { RIA_TEST_FLUSHER_FAULT: 'exit:5' });
    expect(r.code, r.out).not.toBe(0);
    expect(errorLines(r.out)).toEqual(['ria: error: flusher thread exited (code 3)']);
    rmSync(checkpoint, { recursive: true, force: true });
  });

  testInGroup('full-disk')(
    'a full checkpoint disk ends the engine with one line naming it, printed once',
    async () => {
      const ns = spawnSync('unshare', ['-rm', 'true'], { encoding: 'utf8' });
      if (ns.status !== 0)
        throw new Error(
          `the full-disk test mounts a tmpfs in an unprivileged user namespace, which this machine refuses (unshare -rm: ${ns.error?.message ?? ns.stderr.trim()}); as root: sysctl kernel.unprivileged_userns_clone=1 (Debian), kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 23.10+) or user.max_user_namespaces > 0; without root, leave this test out on purpose: RIA_SKIP_TESTS=full-disk`,
        );
      const { topic } = await newTopic('ria-flusher-enospc');
      const dir = mkdtempSync(join(tmpdir(), 'ria-tmpfs-'));
      dirs.push(dir);
      // The mount exists only inside the engine's own namespace (gone with it); refused → fails.
      const r = await runUntilItStops(topic, join(dir, 'checkpoint'), {}, 200_000, [
        'unshare',
        '-rm',
        'sh',
        '-c',
        'mount -t tmpfs -o size=256k tmpfs "$0" && exec "$@"',
        dir,
      ]);
      expect(r.code, r.out).not.toBe(0);
      const errors = errorLines(r.out);
      expect(errors, r.out).toHaveLength(1);
      expect(errors[0]).toMatch(/ENOSPC|no space left/i);
      expect(r.out.split(/ENOSPC/).length - 1, r.out).toBe(1);
    },
  );
});
