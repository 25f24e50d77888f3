/**
 * The KafkaJS catch-up peer (kafkajs-peer.ts) in a process of its own, so that it is timed like
 * every other system: from process start to exit. Prints `kafkajs-peer {…}` with its in-job time.
 *
 * Usage: node dist/bench/peers/kafkajs-catch-up.js BROKER TOPIC ES_URL PARTITIONS EVENTS [REGISTRY_URL]
 */
import { ensureIndices } from '../../engine/setup/index-templates.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { runKafkajsPeer } from './kafkajs-peer.js';

const [broker, topic, esUrl, partitions, expected, registryUrl] = process.argv.slice(2);
const es = createEsClient({ elasticsearchHost: esUrl });
try {
  await ensureIndices(es);
  const r = await runKafkajsPeer(es, {
    broker,
    topic,
    partitions: Number(partitions),
    expected: Number(expected),
    windowMs: 1000,
    allowedLatenessMs: 2000,
    registryUrl,
  });
  process.stdout.write(`kafkajs-peer ${JSON.stringify(r)}\n`);
} finally {
  await es.close();
}
