/**
 * A secured stack of its own (scripts/stack.sh with RIA_SECURE=1, on other ports, in a fresh
 * directory): Elasticsearch over HTTPS with users, Kafka reachable only over SASL_SSL. Checked:
 *   - the engine runs exact over SASL_SSL (SCRAM-SHA-256, password from a file) into HTTPS
 *     Elasticsearch (CA file) as a least-privilege user (docs/security.md's role), and no configured
 *     secret appears in its output or on its dashboard — even the one it was given inside
 *     ELASTICSEARCH_HOST's URL, which it prints;
 *   - SASL PLAIN and SCRAM-SHA-512 work as well;
 *   - an API key from a file is sent as `Authorization: ApiKey …` (checked at a proxy in front
 *     of the local stack's Elasticsearch: this Elasticsearch distribution cannot store API keys);
 *   - wrong Kafka or Elasticsearch credentials stop the start with one line naming the settings;
 *   - a user that may read but not write the indices: a clear failure, no document written, no
 *     offset committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureIndices } from '../../engine/setup/index-templates.js';
import { ensureTopics } from '../../engine/setup/topics.js';
import { AGG_INDICES } from '../../engine/shared/indices.js';
import { createEsClient } from '../../engine/sink/es-client.js';
import { readTruth, verify } from '../../engine/verify/verify.js';
import { startFaultProxy } from './es-fault-proxy.js';
import { committedOffsets, newTopic, requireServices, services, uniqueName } from './helpers.js';
import { sleep } from './live-run.js';
import { ria } from './run-ria.js';

const stack = new URL('../../scripts/stack.sh', import.meta.url).pathname;
const PORTS = { kafka: 19092, controller: 19093, es: 19200, transport: 19300, dashboard: 19280 };
const dir = mkdtempSync('/var/tmp/ria-secure-');
const superPassword = `super-${Math.random().toString(36).slice(2)}`;
const enginePassword = `engine-${Math.random().toString(36).slice(2)}`;
const readerPassword = `reader-${Math.random().toString(36).slice(2)}`;
const ca = join(dir, 'tls', 'ca.pem');
const stackEnv = {
  ...process.env,
  RIA_STACK_DIR: dir,
  RIA_SECURE: '1',
  RIA_SECURE_PASSWORD: superPassword,
  RIA_KAFKA_PORT: String(PORTS.kafka),
  RIA_KAFKA_CONTROLLER_PORT: String(PORTS.controller),
  RIA_ES_PORT: String(PORTS.es),
  RIA_ES_TRANSPORT_PORT: String(PORTS.transport),
  RIA_KAFKA_HEAP: '512m',
  RIA_ES_HEAP: '512m',
};
const esHost = `https://127.0.0.1:${PORTS.es}`;
/** The superuser's client (the CA file exists once the secured stack is up). */
let admin: Client;

const secretFile = (name: string, value: string) => {
  const f = join(dir, name);
  writeFileSync(f, `${value}\n`, { mode: 0o600 });
  return f;
};

/** Kafka over SASL_SSL as the user `ria`: environment for every `ria` command. */
function kafkaEnv(mechanism: string, password = superPassword): NodeJS.ProcessEnv {
  return {
    KAFKA_BROKER: `127.0.0.1:${PORTS.kafka}`,
    RDKAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    RDKAFKA_SASL_MECHANISMS: mechanism,
    RDKAFKA_SASL_USERNAME: 'ria',
    RDKAFKA_SSL_CA_LOCATION: ca,
    KAFKA_SASL_PASSWORD_FILE: secretFile(`kafka-${mechanism}.pw`, password),
  };
}
const esEnv = (extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  ELASTICSEARCH_HOST: esHost,
  ELASTICSEARCH_CA_FILE: ca,
  ...extra,
});
const secrets = () => [superPassword, enginePassword, readerPassword];

/** The test's own admin connection to the secured broker (SASL PLAIN over TLS as `ria`). */
const secureKafka = {
  kafkaBroker: `127.0.0.1:${PORTS.kafka}`,
  rdkafka: {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanisms': 'PLAIN',
    'sasl.username': 'ria',
    'sasl.password': superPassword,
    'ssl.ca.location': ca,
  },
};

async function newSecureTopic(prefix: string) {
  const topic = uniqueName(prefix);
  await ensureTopics(secureKafka, [
    { name: topic, partitions: 3 },
    { name: `${topic}.dlq`, partitions: 1 },
  ]);
  return { topic, truth: join(dir, `${topic}.truth.json`), checkpoint: join(dir, `${topic}.checkpoint`) };
}

async function produce(env: NodeJS.ProcessEnv, topic: string, truth: string, count: number) {
  const r = await ria(
    [
      'produce',
      '--kafka-topic',
      topic,
      '--rate',
      '0',
      '--count',
      String(count),
      '--invalid-share',
      '0.01',
      '--truth',
      truth,
    ],
    env,
  ).done;
  expect(r.code, r.out).toBe(0);
  return r.out;
}

const countDocs = async () => {
  await admin.indices.refresh({ index: [...AGG_INDICES] });
  return (await admin.count({ index: [...AGG_INDICES] })).count;
};

describe('security (a secured stack of its own)', () => {
  beforeAll(async () => {
    // Kafka and Elasticsearch only: the secured stack needs no registry (the main stack's holds 8081).
    execFileSync('bash', [stack, 'up', 'kafka', 'es'], { env: stackEnv, stdio: 'pipe', timeout: 300_000 });
    admin = createEsClient({
      elasticsearchHost: esHost,
      elasticsearchCaFile: ca,
      elasticsearchUsername: 'elastic',
      elasticsearchPassword: superPassword,
    });
    // File-realm users with the roles stack.sh defines (ria_engine: the docs/security.md's least-privilege role).
    for (const [name, role, pw] of [
      ['ria-engine', 'ria_engine', enginePassword],
      ['ria-reader', 'ria_reader', readerPassword],
    ]) {
      execFileSync('bash', [stack, 'es-user', name, role], {
        env: stackEnv,
        input: `${pw}\n`,
        stdio: 'pipe',
      });
    }
    // The file realm reloads its files every 5 s: wait until the users authenticate.
    for (const [name, pw] of [
      ['ria-engine', enginePassword],
      ['ria-reader', readerPassword],
    ]) {
      const user = createEsClient({
        elasticsearchHost: esHost,
        elasticsearchCaFile: ca,
        elasticsearchUsername: name,
        elasticsearchPassword: pw,
      });
      for (let i = 0; ; i++) {
        try {
          await user.security.authenticate();
          break;
        } catch (e) {
          if (i > 60) throw e;
          await sleep(500);
        }
      }
      await user.close();
    }
    await ensureIndices(admin); // an administrator sets up the templates (the engine may not)
  }, 360_000);

  beforeEach(async () => {
    // Each test verifies against its own truth: start from empty indices.
    await admin.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
    await ensureIndices(admin);
  });

  afterAll(async () => {
    await admin?.close();
    try {
      execFileSync('bash', [stack, 'down'], { env: stackEnv, stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs exact over SASL_SSL (SCRAM) into HTTPS Elasticsearch as a least-privilege user, showing no secret', async () => {
    const run = await newSecureTopic('ria-sec-scram');
    const produced = await produce(kafkaEnv('SCRAM-SHA-256'), run.topic, run.truth, 30_000);
    // The password also inside the URL: the engine prints its target, which must come out redacted.
    const env = {
      ...kafkaEnv('SCRAM-SHA-256'),
      ...esEnv({ ELASTICSEARCH_HOST: `https://ria-engine:${enginePassword}@127.0.0.1:${PORTS.es}` }),
    };
    const args = ['engine', '--kafka-topic', run.topic, '--checkpoint-dir', run.checkpoint];
    const live = ria(
      [...args, '--dashboard-port', String(PORTS.dashboard), '--status-interval-ms', '500'],
      env,
    );
    let pages = '';
    const base = `http://127.0.0.1:${PORTS.dashboard}`;
    for (let i = 0; i < 60 && pages === ''; i++) {
      await sleep(500);
      try {
        for (const path of ['/', '/metrics', '/readyz', '/healthz'])
          pages += await (await fetch(base + path)).text();
        const events = await fetch(`${base}/events`);
        const reader = events.body!.getReader();
        pages += new TextDecoder().decode((await reader.read()).value);
        await reader.cancel();
      } catch {
        pages = '';
      }
    }
    expect(pages).toContain('data:');
    await sleep(3000);
    live.child.kill('SIGTERM');
    const liveOut = (await live.done).out;
    const final = await ria(
      [...args, '--dashboard-port', '0', '--exit-when-idle', '--idle-timeout-ms', '1000'],
      env,
    ).done;
    expect(final.code, final.out.slice(-2000)).toBe(0);
    expect((await verify(admin, readTruth(run.truth))).differences).toEqual([]);
    expect(liveOut).toContain('https://ria-engine:***@127.0.0.1');
    for (const s of secrets()) {
      expect(produced + liveOut + final.out).not.toContain(s);
      expect(pages).not.toContain(s);
    }
  });

  it('works with SASL PLAIN (producer) and SCRAM-SHA-512 (engine)', async () => {
    const run = await newSecureTopic('ria-sec-plain');
    await produce(kafkaEnv('PLAIN'), run.topic, run.truth, 10_000);
    const env = {
      ...kafkaEnv('SCRAM-SHA-512'),
      ...esEnv({
        ELASTICSEARCH_USERNAME: 'ria-engine',
        ELASTICSEARCH_PASSWORD_FILE: secretFile('es.pw', enginePassword),
      }),
    };
    const r = await ria(
      [
        'engine',
        '--kafka-topic',
        run.topic,
        '--checkpoint-dir',
        run.checkpoint,
        '--dashboard-port',
        '0',
        '--exit-when-idle',
        '--idle-timeout-ms',
        '1000',
      ],
      env,
    ).done;
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect((await verify(admin, readTruth(run.truth))).differences).toEqual([]);
    for (const s of secrets()) expect(r.out).not.toContain(s);
  });

  it('stops with one clear line on wrong credentials (Kafka, Elasticsearch)', async () => {
    const run = await newSecureTopic('ria-sec-wrong');
    const engine = (env: NodeJS.ProcessEnv) =>
      ria(
        ['engine', '--kafka-topic', run.topic, '--checkpoint-dir', run.checkpoint, '--dashboard-port', '0'],
        env,
      ).done;

    const wrongKafka = await engine({
      ...kafkaEnv('SCRAM-SHA-256', 'not-the-password'),
      ...esEnv({ ELASTICSEARCH_USERNAME: 'ria-engine', ELASTICSEARCH_PASSWORD: enginePassword }),
    });
    expect(wrongKafka.code).not.toBe(0);
    expect(wrongKafka.out).toMatch(
      /ria: error: .*Kafka at 127\.0\.0\.1:19092 refused the connection: .*RDKAFKA_SASL_USERNAME/,
    );

    const wrongEs = await engine({
      ...kafkaEnv('SCRAM-SHA-256'),
      ...esEnv({ ELASTICSEARCH_USERNAME: 'ria-engine', ELASTICSEARCH_PASSWORD: 'not-the-password' }),
    });
    expect(wrongEs.code).not.toBe(0);
    expect(wrongEs.out).toMatch(
      /ria: error: Elasticsearch rejected the credentials \(HTTP 401\): check ELASTICSEARCH_USERNAME/,
    );

    const untrusted = await engine({
      ...kafkaEnv('SCRAM-SHA-256'),
      ...esEnv({
        ELASTICSEARCH_CA_FILE: '',
        ELASTICSEARCH_USERNAME: 'ria-engine',
        ELASTICSEARCH_PASSWORD: enginePassword,
      }),
    });
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.out).toMatch(/ria: error: .*(certificate|self.signed)/i);
    for (const r of [wrongKafka, wrongEs, untrusted])
      for (const s of secrets()) expect(r.out).not.toContain(s);
  });

  it('a user without write rights: clear failure, nothing written, no offsets committed', async () => {
    const run = await newSecureTopic('ria-sec-reader');
    await produce(kafkaEnv('PLAIN'), run.topic, run.truth, 5_000);
    const before = await countDocs();
    const group = uniqueName('ria-sec-reader');
    const r = await ria(
      [
        'engine',
        '--kafka-topic',
        run.topic,
        '--checkpoint-dir',
        run.checkpoint,
        '--consumer-group',
        group,
        '--dashboard-port',
        '0',
      ],
      {
        ...kafkaEnv('PLAIN'),
        ...esEnv({ ELASTICSEARCH_USERNAME: 'ria-reader', ELASTICSEARCH_PASSWORD: readerPassword }),
      },
    ).done;
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/ria: error: the Elasticsearch user "ria-reader" may not write interaction-agg_/);
    expect(await countDocs()).toBe(before);
    expect(await committedOffsets(group, run.topic, 3, secureKafka)).toEqual([0, 0, 0]);
  });
});

describe('API key (local stack behind a recording proxy)', () => {
  beforeAll(requireServices);

  it('sends an API key from a file as Authorization: ApiKey, never printing it', async () => {
    const es = createEsClient(services);
    const proxy = await startFaultProxy(services.elasticsearchHost);
    try {
      await es.indices.delete({ index: [...AGG_INDICES], ignore_unavailable: true });
      const { topic, truth, checkpoint } = await newTopic('ria-apikey');
      const produced = await ria([
        'produce',
        '--kafka-topic',
        topic,
        '--rate',
        '0',
        '--count',
        '10000',
        '--truth',
        truth,
      ]).done;
      expect(produced.code, produced.out).toBe(0);
      const key = Buffer.from(`ria-key-id:${Math.random().toString(36).slice(2)}`).toString('base64');
      const keyFile = join(tmpdir(), `${topic}.api-key`);
      writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
      const r = await ria(
        [
          'engine',
          '--kafka-topic',
          topic,
          '--checkpoint-dir',
          checkpoint,
          '--dashboard-port',
          '0',
          '--exit-when-idle',
          '--idle-timeout-ms',
          '1000',
        ],
        { ELASTICSEARCH_HOST: proxy.url, ELASTICSEARCH_API_KEY_FILE: keyFile },
      ).done;
      expect(r.code, r.out.slice(-2000)).toBe(0);
      expect([...proxy.authorizations]).toEqual([`ApiKey ${key}`]);
      expect(r.out).not.toContain(key);
      expect((await verify(es, readTruth(truth))).differences).toEqual([]);
      rmSync(keyFile);
      rmSync(checkpoint, { recursive: true, force: true });
    } finally {
      await proxy.close();
      await es.close();
    }
  });
});
