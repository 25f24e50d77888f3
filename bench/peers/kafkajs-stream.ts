/**
 * The KafkaJS peer as a long-running service (the cost suite runs it in its own process beside
 * the engine and Spark): what a user would write — one thread, KafkaJS, JSON.parse per event
 * through the same reference validator, Maps for the totals, and every FLUSH_MS the changed
 * documents bulk-written to the same indices with the flush number as external version (the
 * same idempotent writes as ours). Runs until SIGTERM; prints `kafkajs-peer: ready` once consuming.
 *
 * Usage: node dist/bench/peers/kafkajs-stream.js BROKER TOPIC ES_URL [FLUSH_MS]
 */
import { Client } from '@elastic/elasticsearch';
import kafkajs from 'kafkajs';
import { validateEvent } from '../../engine/shared/event-reference.js';
import { DEFAULT_MAX_EVENT_TIME_MS, DEFAULT_MIN_EVENT_TIME_MS } from '../../engine/shared/event-rules.js';
import { AVG_INDEX, GLOBAL_DOC_ID, ITEM_INDEX, USER_INDEX } from '../../engine/shared/indices.js';
import { type Doc, docOf, writeDocs } from '../../engine/sink/bulk-writer.js';
import { KAFKAJS_FETCH, registerLz4 } from './lz4-codec.js';

const [broker, topic, esUrl, flushArg] = process.argv.slice(2);
const FLUSH_MS = Number(flushArg ?? 1000);
const WINDOW_MS = 1000;

registerLz4();
const es = new Client({ node: esUrl });
const kafka = new kafkajs.Kafka({
  clientId: 'ria-peer-kafkajs',
  brokers: [broker],
  logLevel: kafkajs.logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: `ria-peer-stream-${Date.now().toString(36)}`, ...KAFKAJS_FETCH });
const range = { minMs: DEFAULT_MIN_EVENT_TIME_MS, maxMs: DEFAULT_MAX_EVENT_TIME_MS };

const users = new Map<string, number>();
/** Per item: its total and its count per window (min / max per second over the windows). */
const items = new Map<string, { total: number; windows: Map<number, number> }>();
const changedUsers = new Set<string>();
const changedItems = new Set<string>();
let valid = 0;
let invalid = 0;
let seq = 0;

function docs(): Doc[] {
  const at = new Date().toISOString();
  const out: Doc[] = [];
  for (const id of changedItems) {
    const it = items.get(id)!;
    const counts = [...it.windows.values()];
    out.push(
      docOf(ITEM_INDEX, id, seq, {
        item_id: id,
        total_interactions: it.total,
        max_per_sec: Math.max(...counts),
        min_per_sec: Math.min(...counts),
        '@timestamp': at,
      }),
    );
  }
  for (const id of changedUsers)
    out.push(
      docOf(USER_INDEX, id, seq, { user_id: id, total_interactions: users.get(id), '@timestamp': at }),
    );
  out.push(
    docOf(AVG_INDEX, GLOBAL_DOC_ID, seq, {
      avg_interactions_per_user: users.size ? valid / users.size : 0,
      total_interactions: valid,
      distinct_users: users.size,
      invalid_events: invalid,
      '@timestamp': at,
    }),
  );
  changedItems.clear();
  changedUsers.clear();
  return out;
}

let stopping = false;
async function flushLoop(): Promise<void> {
  while (!stopping) {
    await new Promise((r) => setTimeout(r, FLUSH_MS));
    if (changedUsers.size === 0 && changedItems.size === 0) continue;
    seq++;
    await writeDocs(es, docs(), { maxDocs: 5000, onProblem: () => undefined, onRefused: () => undefined });
  }
}

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachBatch: async ({ batch }) => {
    for (const m of batch.messages) {
      const v = validateEvent(m.value, 'json', range);
      if (!v.ok) {
        invalid++;
        continue;
      }
      valid++;
      users.set(v.userId, (users.get(v.userId) ?? 0) + 1);
      let it = items.get(v.itemId);
      if (!it) {
        it = { total: 0, windows: new Map() };
        items.set(v.itemId, it);
      }
      it.total++;
      const w = Math.floor(v.time / WINDOW_MS);
      it.windows.set(w, (it.windows.get(w) ?? 0) + 1);
      changedUsers.add(v.userId);
      changedItems.add(v.itemId);
    }
  },
});
process.stdout.write('kafkajs-peer: ready\n');
const flushing = flushLoop();
process.once('SIGTERM', async () => {
  stopping = true;
  await flushing;
  await consumer.disconnect();
  process.exit(0);
});
