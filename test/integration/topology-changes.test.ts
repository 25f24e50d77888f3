/**
 * Neighbours that change the ground under the engine (issue "bad input and bad neighbours",
 * points 7 and 8), against the real Kafka and Elasticsearch, for the single engine and for
 * counters + merger:
 *   - the checkpoint is lost after earlier work (an emptied volume): versions must keep growing
 *     past what Elasticsearch holds, or every write is refused as older and the indices freeze;
 *   - the topic grows from 6 to 12 partitions while running: the new partitions are read without
 *     a restart (PARTITION_DISCOVERY_MS), and a line says so;
 *   - (single engine) the checkpoint is restored from an older copy: versions continue above the
 *     indices' too.
 * Each ends with `ria verify` exact against the truth of both producer runs.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { growTopic } from '../../engine/setup/topics.js';
import { AGG_INDICES, AVG_INDEX, GLOBAL_DOC_ID } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { newTopic, requireServices, services, truthOfTopic } from './helpers.js';
import { ria, riaEngine } from './run-ria.js';

const es = createEsClient(services);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = ['--status-interval-ms', '0', '--dashboard-port', '0'];
// A killed or stopped counter's partitions move after the group's session time-out.
const GROUP = ['--rdkafka', 'session.timeout.ms=6000,heartbeat.interval.ms=1000'];

async function produce(topic: string, count: number, seed: string, truth: string): Promise<void> {
  const r = await ria([
    'produce',
    '--kafka-topic',
    topic,
    '--rate',
    '50000',
    '--count',
    String(count),
    '--seed',
    seed,
    '--users',
    '3000',
    '--truth',
    truth,
    '--quiet',
  ]).done;
  expect(r.code, r.out).toBe(0);
}

async function expectExact(topic: string, truths: string[]): Promise<void> {
  const truth = await truthOfTopic(topic, truths.map(readTruth));
  const r = await verify(es, truth);
  expect(r.differences).toEqual([]);
}

/** A starter of the single engine, or of one counter + the merger, with these options. */
function deployment(topic: string, checkpoint: string, scaled: boolean, more: string[] = []) {
  const group = `${topic}-counters`;
  if (!scaled) return () => riaEngine(topic, checkpoint, ...quiet, ...more);
  return () => {
    const common = ['--kafka-topic', topic, '--consumer-group', group, ...quiet, ...GROUP, ...more];
    const counter = ria(['engine', '--role', 'counter', '--instance-id', 'c1', ...common]);
    const merger = ria(['engine', '--role', 'merger', '--checkpoint-dir', checkpoint, ...common]);
    return {
      child: {
        kill: (s: NodeJS.Signals) => {
          counter.child.kill(s);
          merger.child.kill(s);
        },
      },
      output: () => counter.output() + merger.output(),
      done: Promise.all([counter.done, merger.done]).then(([c, m]) => ({
        code: c.code || m.code,
        signal: null,
        out: `${c.out}\n${m.out}`,
      })),
    };
  };
}

afterAll(() => es.close());

describe.each([
  ['single engine', false],
  ['counter + merger', true],
])('topology changes, %s (real Kafka and Elasticsearch)', (_name, scaled) => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });

  it('a lost checkpoint: versions continue above what the indices hold, a loud warning, exact', async () => {
    const { topic, truth, checkpoint } = await newTopic(`ria-lost-${scaled ? 'm' : 'e'}`);
    const truth2 = `${truth}.2`;
    const run = deployment(topic, checkpoint, scaled, ['--exit-when-idle', '--idle-timeout-ms', '1000']);
    await produce(topic, 30_000, `${topic}-a`, truth);
    const first = await run().done;
    expect(first.code, first.out).toBe(0);
    const before = (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }))._version!;
    expect(before).toBeGreaterThanOrEqual(1);

    rmSync(checkpoint, { recursive: true, force: true }); // the volume came back empty
    await produce(topic, 50_000, `${topic}-b`, truth2);
    const warning = /WARNING: no checkpoint in .*, but Elasticsearch holds \d+ flushes of earlier work/;
    if (scaled) {
      // The merger alone first: rebuilding, it reads the earlier run's records, idle ones last.
      // They must not end it (--exit-when-idle) while the source holds events no counter has
      // counted yet: it waits (then stops on SIGTERM, exactly, and the pair below finishes).
      const alone = ria([
        'engine',
        '--role',
        'merger',
        '--checkpoint-dir',
        checkpoint,
        '--kafka-topic',
        topic,
        '--consumer-group',
        `${topic}-counters`,
        ...quiet,
        '--exit-when-idle',
        '--idle-timeout-ms',
        '1000',
      ]);
      const early = await Promise.race([
        alone.done,
        new Promise((r) => setTimeout(() => r(undefined), 8000)),
      ]);
      expect(early, alone.output()).toBeUndefined();
      alone.child.kill('SIGTERM');
      const stopped = await alone.done;
      expect(stopped.code, stopped.out).toBe(0);
      expect(stopped.out).toMatch(warning);
    }
    const second = await run().done;
    expect(second.code, second.out).toBe(0);
    if (!scaled) expect(second.out).toMatch(warning);
    const after = (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }))._version!;
    expect(after).toBeGreaterThan(before);
    await expectExact(topic, [truth, truth2]);
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('partitions added while running are read without a restart, with a line saying so; exact', async () => {
    const { topic, truth, checkpoint } = await newTopic(`ria-grow-${scaled ? 'm' : 'e'}`);
    const truth2 = `${truth}.2`;
    const run = deployment(topic, checkpoint, scaled, ['--partition-discovery-ms', '2000']);
    const live = run();
    await produce(topic, 10_000, `${topic}-a`, truth);
    await sleep(3000);
    await growTopic(services, topic, 12);
    await produce(topic, 60_000, `${topic}-b`, truth2);
    const said = scaled
      ? /assigned partitions 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11/
      : /has new partitions 6, 7, 8, 9, 10, 11/;
    const deadline = Date.now() + 60_000;
    while (!said.test(live.output()) && Date.now() < deadline) await sleep(500);
    expect(live.output()).toMatch(said);
    // Everything produced is counted by the running deployment (no restart): wait for the total.
    const want = readTruth(truth).global.total_interactions + readTruth(truth2).global.total_interactions;
    let got = 0;
    while (Date.now() < deadline + 60_000) {
      got = Number(
        (
          (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }).catch(() => undefined))?._source as
            | { total_interactions?: number }
            | undefined
        )?.total_interactions ?? 0,
      );
      if (got === want) break;
      await sleep(1000);
    }
    expect(got).toBe(want);
    live.child.kill('SIGTERM');
    const stopped = await live.done;
    expect(stopped.code, stopped.out.slice(-3000)).toBe(0);
    // Windows still open close on a last pass that finds everything idle.
    const final = await deployment(topic, checkpoint, scaled, [
      '--exit-when-idle',
      '--idle-timeout-ms',
      '1000',
    ])().done;
    expect(final.code, final.out.slice(-3000)).toBe(0);
    await expectExact(topic, [truth, truth2]);
    rmSync(checkpoint, { recursive: true, force: true });
    rmSync(truth2, { force: true });
  });
});

describe('a checkpoint restored from an older copy (real Kafka and Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
  });

  it('versions continue above what the indices hold: nothing frozen, a warning, exact', async () => {
    // Before: only a missing checkpoint continued above Elasticsearch's versions. A checkpoint
    // restored from an older backup wrote below them: every write refused as older (409, counted
    // as done), the documents frozen at what the later run had written.
    const { topic, truth, checkpoint } = await newTopic('ria-oldckpt');
    const backup = `${checkpoint}.backup`;
    const once = () =>
      riaEngine(topic, checkpoint, ...quiet, '--exit-when-idle', '--idle-timeout-ms', '500').done;
    const truths = [truth];
    await produce(topic, 5_000, `${topic}-0`, truth);
    expect((await once()).code).toBe(0);
    cpSync(checkpoint, backup, { recursive: true });
    // Later work: many flushes past the copy.
    for (let k = 1; k <= 6; k++) {
      truths.push(`${truth}.${k}`);
      await produce(topic, 2_000, `${topic}-${k}`, truths[k]);
      const r = await once();
      expect(r.code, r.out).toBe(0);
    }
    const held = (await es.get({ index: AVG_INDEX, id: GLOBAL_DOC_ID }))._version!;
    // The volume is restored from the copy; new events arrive.
    rmSync(checkpoint, { recursive: true, force: true });
    cpSync(backup, checkpoint, { recursive: true });
    rmSync(join(checkpoint, 'checkpoint.lock'), { force: true });
    truths.push(`${truth}.new`);
    await produce(topic, 3_000, `${topic}-new`, truths.at(-1)!);
    const restored = await once();
    expect(restored.code, restored.out).toBe(0);
    expect(restored.out).toMatch(
      new RegExp(
        `WARNING: the checkpoint in .* is at flush \\d+ but Elasticsearch holds flush ${held} .* writing versions from ${held + 1}`,
      ),
    );
    await expectExact(topic, truths);
    for (const f of [checkpoint, backup, ...truths]) rmSync(f, { recursive: true, force: true });
  });
});
