/**
 * Entry of the flusher thread (a worker_threads Worker): receives FlusherRequests in order,
 * and answers with FlusherReplies. Deltas that arrive while a flush is writing wait behind it,
 * so every delta belongs to exactly one cut.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { changelogRecordsOf } from '../changelog/changelog-records.js';
import { CheckpointStore } from '../checkpoint/store.js';
import { ConfigError, describeError, RiaError } from '../errors/errors.js';
import type { FlusherReply, FlusherRequest } from '../shared/messages.js';
import { nameThisThread } from '../shared/thread-name.js';
import { BulkAnswerSerializer, type Doc } from '../sink/bulk-writer.js';
import { createEsClient, type EsConnection } from '../sink/es-client.js';
import { Flusher, type FlusherSettings } from './flusher.js';

export interface FlusherThreadData extends FlusherSettings {
  elasticsearch: EsConnection;
  /** CHANGELOG_TOPICS: every flush's documents also go to Kafka (through the main thread). */
  changelogTopics: boolean;
  checkpointDir: string;
  topic: string;
  sampleEvery: number;
}

nameThisThread('ria-flusher');
const data = workerData as FlusherThreadData;
const port = parentPort!;
const reply = (r: FlusherReply) => port.postMessage(r);

const es = createEsClient(data.elasticsearch, BulkAnswerSerializer);
const repaired = (what: string, message: string) => reply({ kind: 'repaired', what, message });
const store = new CheckpointStore(
  data.checkpointDir,
  {
    format: 'ria-checkpoint/1',
    topic: data.topic,
    windowMs: data.windowMs,
    allowedLatenessMs: data.allowedLatenessMs,
    sessionGapMs: data.sessionGapMs,
  },
  (message) => repaired('checkpoint', message),
);
// CHANGELOG_TOPICS: the main thread produces the records (node-rdkafka cannot run in a worker).
const changelogWaits = new Map<number, () => void>();
let changelogRequests = 0;
const changelog = data.changelogTopics
  ? (version: number, docs: Doc[]) =>
      new Promise<void>((resolve) => {
        const n = ++changelogRequests;
        changelogWaits.set(n, resolve);
        reply({ kind: 'changelog', n, version, records: changelogRecordsOf(docs) });
      })
  : undefined;
const flusher = new Flusher(
  es,
  store,
  data,
  (message, retriable) =>
    reply({ kind: 'error', message: retriable ? message : `${message} (not retriable)`, fatal: false }),
  (refusals) => reply({ kind: 'refused', refusals }),
  repaired,
  changelog,
);

let chain: Promise<void> = flusher
  .restore()
  .then((r) => reply(r))
  .catch((e) =>
    reply({
      kind: 'error',
      // A setting to fix is said as it is; anything else is a failed restore.
      message: e instanceof ConfigError ? e.message : `restore failed: ${describeError(e)}`,
      fatal: true,
    }),
  );

/**
 * Fault injection for the tests of flusher failures (test/integration/flusher-failures.test.ts):
 * RIA_TEST_FLUSHER_FAULT=throw:N throws an uncaught exception in this thread at its N-th flush,
 * exit:N ends the thread there, retriable:N fails that flush with a retriable error. Unset in
 * every real run.
 */
const fault = /^(throw|exit|retriable):(\d+)$/.exec(process.env.RIA_TEST_FLUSHER_FAULT ?? '');
let flushes = 0;
function injectFault(): void {
  if (!fault || ++flushes !== Number(fault[2])) return;
  if (fault[1] === 'exit') process.exit(3);
  if (fault[1] === 'retriable')
    throw new RiaError(`injected retriable flush failure at flush ${flushes}`, {
      code: 'RIA_ERR_INJECTED',
      retriable: true,
    });
  setImmediate(() => {
    throw new RiaError(`injected flusher fault at flush ${flushes}`, { code: 'RIA_ERR_INJECTED' });
  });
}

// The indices checked against the state between flushes (never during one: the chain orders them).
// One check waits in the chain at most (Elasticsearch away: flushes wait too, checks do not pile up).
let healing = false;
if (data.healIntervalMs > 0)
  setInterval(() => {
    if (healing) return;
    healing = true;
    chain = chain
      .then(() => flusher.heal())
      .catch((e) =>
        reply({
          kind: 'error',
          message: `checking the indices failed: ${describeError(e)}; trying again later`,
          fatal: false,
        }),
      )
      .finally(() => {
        healing = false;
      });
  }, data.healIntervalMs).unref();

port.on('message', (req: FlusherRequest) => {
  if (req.kind === 'changelog-written') {
    // Not through the chain: the flush waiting in it is what this answers.
    changelogWaits.get(req.n)?.();
    changelogWaits.delete(req.n);
    return;
  }
  if (req.kind === 'delta') {
    chain = chain.then(() => flusher.onDelta(req.delta, data.sampleEvery));
    return;
  }
  if (req.kind === 'flush') {
    const cut = {
      offsets: req.offsets,
      partitionMax: req.partitionMax,
      invalid: req.invalid,
      dlqEnd: req.dlqEnd,
      dlqCovered: req.dlqCovered,
    };
    chain = chain.then(async () => {
      try {
        injectFault();
        reply(await flusher.flush(cut, req.watermark));
      } catch (e) {
        reply({
          kind: 'error',
          message: `flush failed: ${describeError(e)}`,
          fatal: !(e instanceof RiaError && e.retriable),
          flush: true,
        });
      }
    });
    return;
  }
  if (req.kind === 'verify') {
    chain = chain.then(async () => {
      try {
        reply({ kind: 'verified', check: await flusher.verifyLive() });
      } catch (e) {
        reply({
          kind: 'verified',
          check: {
            differences: [`the comparison failed: ${describeError(e)}`],
            count: -1,
            checked: { items: 0, users: 0 },
            repaired: false,
          },
        });
      }
    });
    return;
  }
  chain = chain.then(() => {
    store.close();
    reply({ kind: 'stopped' });
    void es.close();
  });
});
