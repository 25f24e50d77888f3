/**
 * A real Kafka Connect 4.1.1 (standalone, scripts/connect.sh) reads the changelog topics with the
 * sink that ships with Kafka (FileStreamSink) and the tested configurations of deploy/connect/:
 * JSON with Kafka's JsonConverter, and Avro with Apicurio's AvroConverter against the local
 * Apicurio Registry. For every document id, the last value Connect wrote equals the index's
 * document — what shows that a Kafka Connect Elasticsearch, JDBC or S3 sink would work on our output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { changelogTopicOf } from '../../engine/changelog/changelog-records.js';
import {
  AGG_INDICES,
  AVG_INDEX,
  CATEGORY_INDEX,
  GLOBAL_DOC_ID,
  ITEM_INDEX,
  USER_INDEX,
} from '../../engine/shared/indices.js';
import { packageRoot } from '../../engine/shared/package-root.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { indicesOf } from '../../engine/verify/verify.js';
import {
  deleteTopics,
  freePort,
  newTopic,
  requireServices,
  SCHEMA_REGISTRY_URL,
  services,
  uniqueName,
} from './helpers.js';
import { sleep } from './live-run.js';
import { ria } from './run-ria.js';

const es = createEsClient(services);
const root = packageRoot(import.meta.url);
/** Apicurio's own API (its converter does not speak the Confluent-compatible one). */
const NATIVE_REGISTRY_URL = SCHEMA_REGISTRY_URL.replace(/\/apis\/ccompat\/v7\/?$/, '/apis/registry/v2');

type Doc = Record<string, unknown>;

/** One FileStreamSink line — a JSON value as Java's Map prints it, an Avro one as Connect's Struct does — as a document. */
function lineToDocument(line: string): Doc {
  const struct = line.startsWith('Struct{');
  const body = struct ? line.slice(7, -1) : line.slice(1, -1);
  const doc: Doc = {};
  for (const pair of body.split(struct ? ',' : ', ')) {
    const eq = pair.indexOf('=');
    const [key, text] = [pair.slice(0, eq), pair.slice(eq + 1)];
    const value = text === 'null' ? null : /^-?\d+(\.\d+)?(E-?\d+)?$/.test(text) ? Number(text) : text;
    // Avro's timestamp (timestamp-millis) prints as a java.util.Date: to the second.
    if (struct && key === 'timestamp') doc['@timestamp'] = new Date(Date.parse(text)).toISOString();
    else doc[key] = value;
  }
  return doc;
}

/** Which index a document is of, and its id. */
function identify(d: Doc): [string, string] {
  if ('item_id' in d) return [ITEM_INDEX, String(d.item_id)];
  if ('user_id' in d) return [USER_INDEX, String(d.user_id)];
  if ('category' in d) return [CATEGORY_INDEX, String(d.category)];
  return [AVG_INDEX, GLOBAL_DOC_ID];
}

/** What Connect wrote that differs from the indices (empty: equal), Struct's second precision allowed for. */
async function differences(file: string, struct: boolean): Promise<string[]> {
  const last = new Map<string, Doc>();
  if (existsSync(file))
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      const d = lineToDocument(line);
      last.set(identify(d).join('/'), d);
    }
  const out: string[] = [];
  const source = indicesOf(es);
  const indices: [string, string][] = [
    [ITEM_INDEX, 'item_id'],
    [USER_INDEX, 'user_id'],
    [CATEGORY_INDEX, 'category'],
  ];
  const all = new Map<string, Doc>();
  for (const [index, idField] of indices)
    for (const [id, d] of await source.all(index, idField)) all.set(`${index}/${id}`, d);
  all.set(`${AVG_INDEX}/${GLOBAL_DOC_ID}`, (await source.one(AVG_INDEX, GLOBAL_DOC_ID)) ?? {});
  for (const [key, want] of all) {
    const got = last.get(key);
    if (!got) {
      out.push(`${key}: not written by Connect`);
      continue;
    }
    for (const [field, value] of Object.entries(want)) {
      let expected = value;
      if (struct && field === '@timestamp')
        expected = new Date(Math.floor(Date.parse(String(value)) / 1000) * 1000).toISOString();
      const actual = got[field] === undefined ? null : got[field];
      if (actual !== expected)
        out.push(`${key}: ${field} is ${String(actual)}, the index has ${String(expected)}`);
    }
  }
  for (const key of last.keys()) if (!all.has(key)) out.push(`${key}: written by Connect, not in the index`);
  return out;
}

function startConnect(connector: string, dir: string, port: number): ChildProcess {
  return spawn('bash', [join(root, 'scripts', 'connect.sh'), 'run', connector], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KAFKA_BROKER: services.kafkaBroker,
      RIA_CONNECT_DIR: dir,
      RIA_CONNECT_PORT: String(port),
      CONNECT_SINK_FILE: join(dir, 'sink.txt'),
      SCHEMA_REGISTRY_NATIVE_URL: NATIVE_REGISTRY_URL,
    },
  });
}

describe('Kafka Connect reads the changelog topics (real Connect 4.1.1, real registry)', () => {
  let connect: ChildProcess | undefined;
  beforeAll(requireServices);
  beforeEach(async () => {
    await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    await deleteTopics(AGG_INDICES.map(changelogTopicOf));
  });
  afterAll(async () => {
    connect?.kill('SIGTERM');
    await es.close();
  });

  for (const format of ['json', 'avro'] as const) {
    it(`${format}: the last value Connect wrote per document id equals the index's document`, async () => {
      const { topic, checkpoint } = await newTopic(`ria-connect-${format}`);
      const env = { SCHEMA_REGISTRY_URL };
      const produced = await ria(
        [
          'produce',
          '--kafka-topic',
          topic,
          '--rate',
          '0',
          '--count',
          '30000',
          '--session-gap-ms',
          '50',
          '--quiet',
        ],
        env,
      ).done;
      expect(produced.code, produced.out).toBe(0);
      const engine = await ria(
        [
          'engine',
          '--kafka-topic',
          topic,
          '--checkpoint-dir',
          checkpoint,
          '--dashboard-port',
          '0',
          '--session-gap-ms',
          '50',
          '--changelog-topics',
          '--changelog-format',
          format,
          '--exit-when-idle',
        ],
        env,
      ).done;
      expect(engine.code, engine.out).toBe(0);

      // The tested configuration, under a name of its own (a connector's consumer group keeps offsets).
      const dir = join(tmpdir(), uniqueName('ria-connect'));
      mkdirSync(dir, { recursive: true });
      const connector = join(dir, 'connector.properties');
      const tested = readFileSync(
        join(root, 'deploy', 'connect', `changelog-file-sink-${format}.properties`),
        'utf8',
      );
      writeFileSync(connector, tested.replace(/^name=.*$/m, `name=${uniqueName(`ria-changelog-${format}`)}`));
      connect = startConnect(connector, dir, await freePort());
      let log = '';
      connect.stdout?.on('data', (d) => (log += d));
      connect.stderr?.on('data', (d) => (log += d));
      let diff: string[] = ['not checked yet'];
      for (let waited = 0; waited < 180_000 && diff.length > 0; waited += 2000) {
        await sleep(2000);
        if (connect.exitCode !== null) break;
        diff = await differences(join(dir, 'sink.txt'), format === 'avro');
      }
      connect.kill('SIGTERM');
      connect = undefined;
      expect(diff.slice(0, 10), log.slice(-3000)).toEqual([]);
    }, 400_000);
  }
});
