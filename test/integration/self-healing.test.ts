/**
 * Indices that heal themselves, with the engine running as an operator would find it: 2,000 users
 * seen, then live traffic over 100 of them; the user index deleted (a cleanup job, an ILM mistake)
 * and one item document deleted while traffic flows; then, with the engine idle, the item index
 * replaced by an older copy of itself with its older versions (what a snapshot restore does). Each time the engine notices within HEAL_INTERVAL_MS,
 * says so in one line and counts it (ria_repairs_total{what="index"}), and rewrites what differs;
 * at the end the indices equal the producer's truth. Before, the user index held only the users
 * seen after the delete, for good, and nothing said so. The test waits for the engine's line, not
 * for a clock.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AGG_INDICES,
  AVG_INDEX,
  CATEGORY_INDEX,
  GLOBAL_DOC_ID,
  ITEM_INDEX,
  USER_INDEX,
} from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { freePort, newTopic, requireServices, services, truthOfTopic } from './helpers.js';
import { metricOf } from './live-run.js';
import { ria, riaDrain, riaEngine, riaProduce } from './run-ria.js';

const es = createEsClient(services);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, out: () => string, ms = 120_000) {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; the engine said:\n${out().slice(-3000)}`);
    await sleep(250);
  }
}

/**
 * Every document of `from` into `to` with its version (external), as a snapshot restore brings
 * them back. By hand: the local Elasticsearch (integ-test build) has no reindex module.
 */
async function copyIndex(from: string, to: string): Promise<void> {
  await es.indices.refresh({ index: from });
  const r = await es.search({ index: from, size: 10_000, version: true, query: { match_all: {} } });
  const operations = r.hits.hits.flatMap((h) => [
    { index: { _index: to, _id: h._id, version: h._version, version_type: 'external' as const } },
    h._source as Record<string, unknown>,
  ]);
  const written = await es.bulk({ operations, refresh: true });
  expect(written.errors).toBe(false);
}

describe('self-healing indices (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES, 'ria-test-item-copy'], ignore_unavailable: true });
  });
  afterAll(async () => {
    await es.indices.delete({ index: 'ria-test-item-copy', ignore_unavailable: true });
    await es.close();
  });

  it('rewrites a deleted index, a deleted document and an index restored from an older copy', async () => {
    const { topic, truth, checkpoint } = await newTopic('ria-heal');
    const truth2 = `${truth}.live`;
    const produce = (more: string[], t: string) => riaProduce(topic, '--items', '50', '--truth', t, ...more);
    const first = await produce(['--rate', '0', '--count', '20000', '--users', '2000', '--seed', 'a'], truth)
      .done;
    expect(first.code, first.out).toBe(0);
    const port = await freePort();
    const engine = riaEngine(
      topic,
      checkpoint,
      '--dashboard-port',
      String(port),
      '--status-interval-ms',
      '0',
      '--heal-interval-ms',
      '2000',
      // Idle soon after the traffic stops: its last windows close (a flush that rewrites every
      // item) before the idle steps below, so only the check can bring a document back.
      '--idle-timeout-ms',
      '500',
    );
    const producer = produce(['--rate', '2000', '--duration', '30', '--users', '100', '--seed', 'b'], truth2);
    const repairs = () => metricOf(port, 'ria_repairs_total');
    const lines = () =>
      engine
        .output()
        .split('\n')
        .filter((l) => l.includes('elasticsearch: ') && / rewr(ote|iting) /.test(l));
    await until(
      'the first flushes',
      async () => (await metricOf(port, 'ria_flushes_total')) > 2,
      engine.output,
    );
    const refreshCount = async (index: string) => {
      await es.indices.refresh({ index });
      return (await es.count({ index })).count;
    };

    // An older copy of the item index, versions kept, for the restore below.
    await es.indices.refresh({ index: ITEM_INDEX });
    await copyIndex(ITEM_INDEX, 'ria-test-item-copy');

    // 1. The user index deleted.
    await es.indices.delete({ index: USER_INDEX });
    await until(
      'the repair of the user index',
      () => lines().some((l) => l.includes(USER_INDEX)),
      engine.output,
    );
    expect(lines().find((l) => l.includes(USER_INDEX))).toMatch(
      /interaction-agg_user (holds \d+ of \d+ documents|is gone|was recreated)/,
    );
    const usersSeen = Object.keys(readTruth(truth).users).length;
    expect(usersSeen).toBeGreaterThan(500);
    await until('every user back', async () => (await refreshCount(USER_INDEX)) >= usersSeen, engine.output);

    // The rest with the engine idle: no flush is due, so only the check can bring anything back,
    // and the engine rewrites at once.
    const produced = await producer.done;
    expect(produced.code, produced.out).toBe(0);
    await sleep(3000);
    // Settled: the global document's version (the last flush) no longer moves.
    let last = -1;
    await until(
      'the engine to settle',
      async () => {
        const v = (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }))._version!;
        const same = v === last;
        last = v;
        if (!same) await sleep(1500);
        return same;
      },
      engine.output,
    );

    // 2. One item document deleted.
    const seen = lines().length;
    await es.indices.refresh({ index: ITEM_INDEX });
    const victim = (await es.search({ index: ITEM_INDEX, size: 1 })).hits.hits[0]._id!;
    await es.delete({ index: ITEM_INDEX, id: victim, refresh: true });
    await until('the repair of the item document', () => lines().length > seen, engine.output);
    expect(lines().at(-1)).toMatch(
      /interaction-agg_item holds 49 of 50 documents: rewrote 1 item, 0 user and 0 category documents/,
    );
    await until(
      'the document back',
      async () => (await es.exists({ index: ITEM_INDEX, id: victim, refresh: true })) === true,
      engine.output,
    );

    // 2b. The category index deleted (the funnel per category): every category back, as it was.
    const categories = await refreshCount(CATEGORY_INDEX);
    expect(categories).toBeGreaterThan(3);
    const beforeCategories = lines().length;
    await es.indices.delete({ index: CATEGORY_INDEX });
    await until(
      'the repair of the category index',
      () =>
        lines()
          .slice(beforeCategories)
          .some((l) => l.includes(CATEGORY_INDEX)),
      engine.output,
    );
    expect(
      lines()
        .slice(beforeCategories)
        .find((l) => l.includes(CATEGORY_INDEX)),
    ).toMatch(new RegExp(`rewrote 0 item, 0 user and ${categories} category documents`));
    await until(
      'every category back',
      async () => (await refreshCount(CATEGORY_INDEX)) === categories,
      engine.output,
    );

    // 3. The item index replaced by its older copy (older content, older versions, a new uuid).
    const before = lines().length;
    await es.indices.delete({ index: ITEM_INDEX });
    await copyIndex('ria-test-item-copy', ITEM_INDEX);
    await until(
      'the repair of the restored item index',
      () =>
        lines()
          .slice(before)
          .some((l) => l.includes(ITEM_INDEX)),
      engine.output,
    );
    expect(await repairs()).toBeGreaterThanOrEqual(3);

    expect(
      lines()
        .slice(before)
        .find((l) => l.includes(ITEM_INDEX)),
    ).toMatch(/ rewrote \d+ item/);
    // Exact at the end.
    engine.child.kill('SIGTERM');
    expect((await engine.done).code).toBe(0);
    const final = await riaDrain(topic, checkpoint).done;
    expect(final.code, final.out.slice(-2000)).toBe(0);
    const r = await verify(es, await truthOfTopic(topic, [readTruth(truth), readTruth(truth2)]));
    expect(r.differences).toEqual([]);
    for (const f of [checkpoint, truth, truth2]) rmSync(f, { recursive: true, force: true });
  });

  it('ria verify --live: against the checkpoint with no engine running, against the running engine (which repairs)', async () => {
    const { topic, checkpoint } = await newTopic('ria-verify-live');
    const produced = await riaProduce(topic, '--rate', '0', '--count', '5000').done;
    expect(produced.code).toBe(0);
    const first = await riaDrain(topic, checkpoint).done;
    expect(first.code, first.out).toBe(0);
    const port = await freePort();
    const verifyLive = () =>
      ria([
        'verify',
        '--live',
        '--checkpoint-dir',
        checkpoint,
        '--kafka-topic',
        topic,
        '--dashboard-port',
        String(port),
      ]).done;

    const ok = await verifyLive();
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/verify: OK: the indices equal the checkpoint in .* \(flush \d+\)/);

    // A user document goes missing: found from the checkpoint, nothing changed by verify itself.
    await es.indices.refresh({ index: USER_INDEX });
    const victim = (await es.search({ index: USER_INDEX, size: 1 })).hits.hits[0]._id!;
    await es.delete({ index: USER_INDEX, id: victim, refresh: true });
    const found = await verifyLive();
    expect(found.code).toBe(1);
    expect(found.out).toContain(`user ${victim}: missing`);
    expect(await es.exists({ index: USER_INDEX, id: victim })).toBe(false);

    // With the engine running (its periodic check off), verify asks it; it repairs at once.
    const engine = riaEngine(
      topic,
      checkpoint,
      '--dashboard-port',
      String(port),
      '--status-interval-ms',
      '0',
      '--heal-interval-ms',
      '0',
    );
    await until(
      'the engine to be ready',
      async () => (await metricOf(port, 'ria_ready')) === 1,
      engine.output,
    );
    const asked = await verifyLive();
    expect(asked.code, asked.out).toBe(1);
    expect(asked.out).toMatch(
      /1 document differs from the running engine at .*; the engine is rewriting them/,
    );
    await until('the document back', async () => es.exists({ index: USER_INDEX, id: victim }), engine.output);
    const again = await verifyLive();
    expect(again.code, again.out).toBe(0);
    engine.child.kill('SIGTERM');
    expect((await engine.done).code).toBe(0);
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('scaled out, the merger heals too: a deleted user index rewritten from its state', async () => {
    const { topic, truth, checkpoint } = await newTopic('ria-heal-merger');
    const group = `${topic}-counters`;
    const common = ['--kafka-topic', topic, '--consumer-group', group, '--status-interval-ms', '0'];
    const counter = ria([
      'engine',
      '--role',
      'counter',
      '--instance-id',
      'c1',
      '--dashboard-port',
      '0',
      ...common,
    ]);
    const port = await freePort();
    const merger = ria([
      'engine',
      '--role',
      'merger',
      '--checkpoint-dir',
      checkpoint,
      '--dashboard-port',
      String(port),
      '--heal-interval-ms',
      '2000',
      ...common,
    ]);
    const produced = await riaProduce(
      topic,
      '--rate',
      '0',
      '--count',
      '20000',
      '--users',
      '2000',
      '--truth',
      truth,
    ).done;
    expect(produced.code, produced.out).toBe(0);
    const total = readTruth(truth).global.total_interactions;
    const globalTotal = async () =>
      Number(
        (
          (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }).catch(() => undefined))?._source as
            | { total_interactions?: number }
            | undefined
        )?.total_interactions ?? 0,
      );
    await until(
      'the merger to have written everything',
      async () => (await globalTotal()) === total,
      merger.output,
    );
    await es.indices.delete({ index: USER_INDEX });
    await until(
      "the merger's repair of the user index",
      () =>
        merger
          .output()
          .split('\n')
          .some((l) => l.includes(`elasticsearch: ${USER_INDEX}`) && / rewr(ote|iting) /.test(l)),
      merger.output,
    );
    expect(await metricOf(port, 'ria_repairs_total')).toBeGreaterThanOrEqual(1);
    for (const p of [counter, merger]) p.child.kill('SIGTERM');
    for (const p of [counter, merger]) expect((await p.done).code).toBe(0);
    // A last pass closes every window (all idle), then both stop by themselves.
    const idle = ['--exit-when-idle', '--idle-timeout-ms', '500', '--dashboard-port', '0'];
    const last = [
      ria(['engine', '--role', 'counter', '--instance-id', 'c1', ...common, ...idle]),
      ria(['engine', '--role', 'merger', '--checkpoint-dir', checkpoint, ...common, ...idle]),
    ];
    for (const p of last) {
      const done = await p.done;
      expect(done.code, done.out.slice(-2000)).toBe(0);
    }
    const r = await verify(es, readTruth(truth));
    expect(r.differences).toEqual([]);
    for (const f of [checkpoint, truth]) rmSync(f, { recursive: true, force: true });
  });
});
