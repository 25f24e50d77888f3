/**
 * The seed's experiment: 5,000 events/s for 30 s through the real local Kafka and Elasticsearch,
 * the engine running live. Reports Kafka MB/s in, the flush cycle ("micro-batch") latency, the
 * event time → acknowledged latency, and the engine's CPU and RSS; exactness checked by verify.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineSummary, mustRun, resetIndices, runCli } from './run-cli.js';

export async function fixedRate(quick: boolean) {
  const seconds = quick ? 10 : 30;
  const rate = 5000;
  const topic = `ria-bench-rate-${Date.now().toString(36)}`;
  const truth = join(tmpdir(), `${topic}.truth.json`);
  const checkpoint = join(tmpdir(), `${topic}.ckpt`);
  await resetIndices();
  await mustRun(['stack', 'up', 'kafka', '--kafka-topic', topic]);
  const engine = runCli([
    'engine',
    '--kafka-topic',
    topic,
    '--checkpoint-dir',
    checkpoint,
    '--exit-when-idle',
    '--idle-timeout-ms',
    '1000',
    '--status-interval-ms',
    '0',
    '--dashboard-port',
    '0',
  ]);
  await new Promise((r) => setTimeout(r, 2000)); // the engine is up and waiting
  const produced = await mustRun([
    'produce',
    '--kafka-topic',
    topic,
    '--rate',
    String(rate),
    '--duration',
    String(seconds),
    '--truth',
    truth,
    '--quiet',
  ]);
  const done = await engine.done;
  if (done.code !== 0) throw new Error(`engine failed:\n${done.out.slice(-2000)}`);
  const s = engineSummary(done.out);
  const mb = /([\d.]+) MB\/s/.exec(produced);
  const verified = await runCli(['verify', '--truth', truth]).done;
  rmSync(checkpoint, { recursive: true, force: true });
  return {
    rate,
    seconds,
    kafkaMBps: mb ? Number(mb[1]) : null,
    producer: produced.trim(),
    engine: s,
    exact: verified.code === 0,
  };
}
