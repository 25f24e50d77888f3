import Kafka from 'node-rdkafka';
import { consumeBatch } from './dist/engine/source/rdkafka-batch.js';
const topic = process.argv[2]; const events = Number(process.argv[3]);
const c = new Kafka.KafkaConsumer({'metadata.broker.list':'127.0.0.1:9092','group.id':'x'+Date.now(),'enable.auto.commit':false,'enable.partition.eof':true, 'fetch.wait.max.ms': 100, 'queued.max.messages.kbytes': 65536, ...JSON.parse(process.env.XCONF||'{}')}, {});
await new Promise((r, j) => c.connect({}, (e) => (e ? j(e) : r())));
c.assign([0,1,2,3,4,5].map((partition) => ({ topic, partition, offset: 0 })));
let n = 0; const t0 = performance.now();
while (n < events) { const { segments } = await consumeBatch(c, 100, 32768); for (const s of segments) n += s.count; }
const s = (performance.now() - t0) / 1000;
console.log(process.env.XCONF, 'ev/s', Math.round(n / s), 'maxRSS MiB', Math.round(process.resourceUsage().maxRSS / 1024));
c.disconnect(() => process.exit(0));
