/**
 * Faults injected into the real services while the engine runs, each ending with `verify`
 * against the producer's truth (exact equality):
 *   - the Kafka broker stopped and started again mid-run (the engine reconnects by itself);
 *   - Elasticsearch frozen with SIGSTOP for 35 s, longer than a bulk request's 30 s timeout
 *     (the engine holds offsets, retries, pauses consumption, and catches up);
 *   - item-level errors inside an HTTP 200 bulk response (a write block on one index for 8 s):
 *     only the failed items are retried, with backoff, until they are written.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGG_INDICES, USER_INDEX } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { newTopic, requireServices, services } from './helpers.js';
import { ria } from './run-ria.js';

const stack = new URL('../../scripts/stack.sh', import.meta.url).pathname;
const es = createEsClient(services);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup(name: string) {
  const { topic, truth, checkpoint } = await newTopic(name);
  const engineArgs = [
    'engine',
    '--kafka-topic',
    topic,
    '--checkpoint-dir',
    checkpoint,
    '--dashboard-port',
    '0',
    '--status-interval-ms',
    '1000',
  ];
  return { topic, truth, checkpoint, engineArgs };
}

/** The engine and the producer run live while `fault` happens; then the engine is stopped cleanly. */
async function liveRunWith(
  run: { topic: string; truth: string; checkpoint: string; engineArgs: string[] },
  rate: number,
  count: number,
  fault: () => Promise<void>,
) {
  const engine = ria(run.engineArgs);
  const producer = ria([
    'produce',
    '--kafka-topic',
    run.topic,
    '--rate',
    String(rate),
    '--count',
    String(count),
    '--invalid-share',
    '0.01',
    '--truth',
    run.truth,
    '--quiet',
  ]);
  // Inject the fault once the engine has made a flush durable (it is up and running).
  const deadline = Date.now() + 60_000;
  while (
    !existsSync(join(run.checkpoint, 'checkpoint.log')) ||
    statSync(join(run.checkpoint, 'checkpoint.log')).size < 2000
  ) {
    if (Date.now() > deadline) throw new Error('the engine made no checkpoint within 60 s');
    await sleep(200);
  }
  await sleep(1000);
  await fault();
  const produced = await producer.done;
  expect(produced.code, produced.out).toBe(0);
  await sleep(5000);
  engine.child.kill('SIGTERM');
  const stopped = await engine.done;
  expect(stopped.code, stopped.out.slice(-3000)).toBe(0);
  return stopped.out;
}

/** After the live engine is stopped: a last pass that drains, closes every window and flushes; then verify. */
async function finishAndVerify(run: { truth: string; checkpoint: string; engineArgs: string[] }) {
  const final = await ria([...run.engineArgs, '--exit-when-idle', '--idle-timeout-ms', '1000']).done;
  expect(final.code, final.out.slice(-3000)).toBe(0);
  const r = await verify(es, readTruth(run.truth));
  expect(r.differences).toEqual([]);
  rmSync(run.checkpoint, { recursive: true, force: true });
}

// The services these tests stop must be the local stack's (not external ones).
const local = !process.env.KAFKA_BROKER && !process.env.ELASTICSEARCH_HOST;

describe.runIf(local)('faults (real services, local stack)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });
  afterAll(async () => {
    execFileSync('bash', [stack, 'up']); // whatever happened, leave the stack up
    await es.close();
  });

  it('stays exact when the Kafka broker is stopped and started again mid-run', async () => {
    const run = await setup('ria-broker');
    await liveRunWith(run, 20_000, 300_000, async () => {
      execFileSync('bash', [stack, 'down', 'kafka'], { stdio: 'ignore' });
      await sleep(5000);
      execFileSync('bash', [stack, 'up', 'kafka'], { stdio: 'ignore' });
    });
    await finishAndVerify(run);
  });

  it('stays exact, and holds back, when Elasticsearch is frozen for longer than a request timeout', async () => {
    const run = await setup('ria-esfreeze');
    const out = await liveRunWith(run, 10_000, 500_000, async () => {
      const pid = Number(execFileSync('bash', [stack, 'pid', 'es']).toString().trim());
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(35_000);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });
    // It noticed, said so, and retried.
    expect(out).toMatch(/elasticsearch bulk request failed|retrying/);
    await finishAndVerify(run);
  });

  it('retries item-level errors inside an HTTP 200 and stays exact (write block on the user index)', async () => {
    const run = await setup('ria-itemerr');
    const out = await liveRunWith(run, 10_000, 200_000, async () => {
      // Every user document now fails inside a 200 bulk response (403 cluster_block_exception)
      // while item and global documents succeed: the engine must retry just those items.
      await es.indices.putSettings({ index: USER_INDEX, settings: { 'index.blocks.write': true } });
      try {
        await sleep(8000);
      } finally {
        await es.indices.putSettings({ index: USER_INDEX, settings: { 'index.blocks.write': false } });
      }
    });
    expect(out).toMatch(/retriable error \(HTTP 403 cluster_block_exception on interaction-agg_user\//);
    await finishAndVerify(run);
  });
});
