/**
 * Elasticsearch refusing documents, against the real Elasticsearch (issue "bad input and bad
 * neighbours", points 3 and 6): an index whose mapping disagrees with the templates stops the start
 * with one line naming the index, the field and both types; refusals at run time are logged as one
 * line per (index, reason) per interval and counted in /metrics by reason; and a stop whose flush
 * cannot finish is bounded by STOP_TIMEOUT_MS (exit 1, one line), a second signal stopping at once.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGG_INDICES, USER_INDEX } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { freePort, newTopic, requireServices, services } from './helpers.js';
import { ria, riaEngine } from './run-ria.js';

const es = createEsClient(services);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** interaction-agg_user with total_interactions mapped as boolean, as if made by hand. */
async function conflictingUserIndex(): Promise<void> {
  // A bulk write may auto-create the index (with the template) between delete and create: again.
  for (let attempt = 0; attempt < 20; attempt++) {
    await es.indices.delete({ index: USER_INDEX, ignore_unavailable: true });
    try {
      await es.indices.create({
        index: USER_INDEX,
        mappings: { properties: { total_interactions: { type: 'boolean' } } },
      });
    } catch {
      continue;
    }
    const m = await es.indices.getMapping({ index: USER_INDEX });
    if (m[USER_INDEX].mappings.properties?.total_interactions?.type === 'boolean') return;
  }
  throw new Error('could not create the conflicting index');
}

async function waitFor(what: string, f: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('Elasticsearch refusing documents (real Elasticsearch)', () => {
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    await ria(['stack', 'up']).done; // the templates and indices again
  });
  afterAll(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    await ria(['stack', 'up']).done;
    await es.close();
  });

  it('an index mapped against the templates stops the start with one line naming index, field and types', async () => {
    const { topic, checkpoint } = await newTopic('ria-mapping');
    await conflictingUserIndex();
    const run = await riaEngine(topic, checkpoint, '--dashboard-port', '0').done;
    expect(run.code).not.toBe(0);
    const errors = run.out.split('\n').filter((l) => l.startsWith('ria: error:'));
    expect(errors).toEqual([
      `ria: error: index ${USER_INDEX} maps total_interactions as boolean but the engine writes long: delete the index (the engine writes every document again) or reindex it with the template's mapping`,
    ]);
    rmSync(checkpoint, { recursive: true, force: true });
  });

  it('refusals at run time: a few lines per interval, counted by reason; a stuck stop ends at STOP_TIMEOUT_MS', async () => {
    const { topic, checkpoint } = await newTopic('ria-refusals');
    const port = await freePort();
    const engine = riaEngine(
      topic,
      checkpoint,
      '--dashboard-port',
      String(port),
      '--status-interval-ms',
      '0',
      '--stop-timeout-ms',
      '3000',
    );
    // Ready: its start-up checks (the mappings among them) have passed.
    await waitFor('the engine to be ready', () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    // A second engine on its own topic, for the second-signal check below.
    const other = await newTopic('ria-refusals-2');
    const againPort = await freePort();
    const again = riaEngine(
      other.topic,
      other.checkpoint,
      '--dashboard-port',
      String(againPort),
      '--status-interval-ms',
      '0',
    );
    await waitFor('the second engine to be ready', () =>
      fetch(`http://127.0.0.1:${againPort}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    // Both engines have started (their start-up checks passed); now the user index goes wrong.
    await conflictingUserIndex();
    const otherProducer = ria([
      'produce',
      '--kafka-topic',
      other.topic,
      '--rate',
      '1000',
      '--duration',
      '20',
      '--quiet',
    ]);
    const producer = ria([
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      '5000',
      '--duration',
      '25',
      '--users',
      '2000',
      '--quiet',
    ]);
    const refusedOf = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = new RegExp(
        `ria_es_refused_documents_total\\{index="${USER_INDEX}",reason="document_parsing_exception"\\} (\\d+)`,
      ).exec(text);
      return m ? Number(m[1]) : 0;
    };
    await waitFor('refusals counted in /metrics', async () => (await refusedOf()) > 0);
    const before = engine.output().length;
    await sleep(20_000);
    const lines = engine.output().slice(before).split('\n').filter(Boolean);
    const refusalLines = lines.filter((l) => l.includes(`refused`) && l.includes(USER_INDEX));
    // 20 s: at most the first line plus one per 10 s interval (+1 for a boundary), nothing per document.
    expect(refusalLines.length, lines.join('\n')).toBeGreaterThan(0);
    expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(8);
    expect(refusalLines[0]).toMatch(
      /elasticsearch refused \d+ documents of interaction-agg_user \(HTTP 400 document_parsing_exception: .*; e\.g\. id .+\)/,
    );
    // Counted per document, logged per interval: each line sums many documents (how many the stuck
    // flush holds depends on when the index went wrong), and /metrics has at least what was logged.
    const logged = refusalLines.reduce((n, l) => n + Number(/refused (\d+) documents/.exec(l)?.[1] ?? 0), 0);
    expect(logged).toBeGreaterThan(refusalLines.length);
    expect(await refusedOf()).toBeGreaterThanOrEqual(logged);

    // Every user document is refused, so the last flush can never finish: the stop is bounded by
    // STOP_TIMEOUT_MS, and says so (the test's time-out catches a hang; no clock is asserted).
    const t0 = Date.now();
    engine.child.kill('SIGTERM');
    const stopped = await engine.done;
    const took = Date.now() - t0;
    expect(stopped.code).toBe(1);
    const abandoned = stopped.out
      .split('\n')
      .filter((l) => l.includes('did not finish within STOP_TIMEOUT_MS=3000'));
    expect(abandoned).toHaveLength(1);
    process.stdout.write(`stop abandoned after ${took} ms\n`);

    // A second signal stops at once (a second engine, started with the first and as stuck).
    await waitFor('the second engine to be refused too', () => again.output().includes('refused'));
    again.child.kill('SIGTERM');
    await waitFor('the first signal to be taken', () => again.output().includes('SIGTERM: '));
    again.child.kill('SIGTERM');
    const quick = await again.done;
    // At once: the second signal ends it before the graceful stop's deadline could.
    expect(quick.code).toBe(143);
    expect(quick.out).toContain('SIGTERM again: stopping at once');
    expect(quick.out).not.toContain('did not finish within STOP_TIMEOUT_MS');
    await Promise.all([producer.done, otherProducer.done]);
    rmSync(checkpoint, { recursive: true, force: true });
    rmSync(other.checkpoint, { recursive: true, force: true });
  });
});
