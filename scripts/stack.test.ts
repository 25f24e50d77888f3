/**
 * The error paths of scripts/stack.sh, run for real in a scratch directory on free ports
 * (the happy path, `up` twice and `status`, is in test/integration/stack.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = new URL('./stack.sh', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'ria-stack-test-'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync('bash', [script, ...args], {
    env: {
      PATH: process.env.PATH!,
      HOME: scratch,
      RIA_STACK_DIR: join(scratch, 'stack'),
      RIA_CACHE: join(scratch, 'cache'),
      ...env,
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('scripts/stack.sh errors', () => {
  let taken: Server;
  let takenPort: number;
  let ports: Record<string, string>;

  beforeAll(async () => {
    taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    takenPort = (taken.address() as { port: number }).port;
    ports = {
      RIA_KAFKA_PORT: String(await freePort()),
      RIA_KAFKA_CONTROLLER_PORT: String(await freePort()),
      RIA_ES_PORT: String(await freePort()),
      RIA_ES_TRANSPORT_PORT: String(await freePort()),
    };
  });
  afterAll(() => taken.close());

  it('names a port that is already taken', () => {
    const r = run(['up', 'kafka'], { ...ports, RIA_KAFKA_PORT: String(takenPort) });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`port 127.0.0.1:${takenPort} is already taken`);
    expect(r.out).toContain('KAFKA_BROKER');
  });

  it('refuses a Java that is too old, naming the version needed', () => {
    const jdk = join(scratch, 'old-jdk');
    mkdirSync(join(jdk, 'bin'), { recursive: true });
    writeFileSync(join(jdk, 'bin', 'java'), '#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n');
    chmodSync(join(jdk, 'bin', 'java'), 0o755);
    const r = run(['up', 'es'], {
      ...ports,
      PATH: `${join(jdk, 'bin')}:${process.env.PATH}`,
      RIA_JAVA_SEARCH: join(scratch, 'no-jvms'),
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Elasticsearch .* needs Java 21 or newer/);
  });

  it('stops before downloading when the disk is too full', () => {
    const r = run(['up', 'kafka'], { ...ports, RIA_MIN_FREE_MB: '999999999' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not enough disk in .*need 999999999 MB/);
  });

  it('reports a failed download with the artifact', () => {
    const r = run(['up', 'kafka'], { ...ports, RIA_KAFKA_VERSION: '0.0.0-does-not-exist' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('download failed: org.apache.kafka:kafka_2.13:0.0.0-does-not-exist');
  });

  it('leaves external services alone, and down/status work with nothing started', () => {
    const external = run(['up'], {
      KAFKA_BROKER: 'kafka.example:9092',
      ELASTICSEARCH_HOST: 'http://es.example:9200',
      SCHEMA_REGISTRY_URL: 'http://registry.example:8081/apis/ccompat/v7',
    });
    expect(external.code).toBe(0);
    expect(external.out).toContain(
      'using existing registry http://registry.example:8081/apis/ccompat/v7 (nothing provisioned)',
    );
    expect(external.out).toContain('using existing broker kafka.example:9092 (nothing provisioned)');
    expect(external.out).toContain('using existing cluster http://es.example:9200 (nothing provisioned)');
    const status = run(['status'], ports);
    expect(status.code).toBe(1);
    expect(status.out).toContain('kafka: down');
    expect(status.out).toContain('elasticsearch: down');
    expect(status.out).toContain('registry: down');
    const down = run(['down'], ports);
    expect(down.code).toBe(0);
    expect(down.out).toContain('kafka not running');
  });
});
