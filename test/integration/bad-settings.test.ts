/**
 * Bad settings stop `ria engine` before it reads anything, with one line naming the problem and a
 * non-zero exit: an unknown option, a value of the wrong type, an unreachable broker, an
 * unreachable Elasticsearch, an unreadable secret file. (Wrong credentials and missing rights:
 * security.test.ts.)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newTopic, requireServices } from './helpers.js';
import { ria } from './run-ria.js';

/** The `ria: error:` line, which must be the only error line. */
async function failure(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await ria(args, env).done;
  expect(r.code).not.toBe(0);
  const errors = r.out.split('\n').filter((l) => l.startsWith('ria: error:'));
  expect(errors, r.out.slice(-1500)).toHaveLength(1);
  return errors[0];
}

describe('bad settings stop the engine with one clear line', () => {
  let base: string[];
  beforeAll(async () => {
    await requireServices();
    const { topic, checkpoint } = await newTopic('ria-badsettings');
    base = ['engine', '--kafka-topic', topic, '--checkpoint-dir', checkpoint, '--dashboard-port', '0'];
  });

  it('unknown option, wrong type', async () => {
    expect(await failure([...base, '--flush-intervl-ms', '100'])).toMatch(
      /unknown option --flush-intervl-ms/,
    );
    expect(await failure([...base, '--pool-size', 'two'])).toMatch(
      /invalid setting --pool-size: expected a whole number, got "two"/,
    );
    expect(await failure(base, { WINDOW_MS: '-5' })).toMatch(
      /invalid setting WINDOW_MS: expected a whole number from 1/,
    );
  });

  it('settings that would overflow a number inside the engine: a tiny window, a 2 GiB fetch budget', async () => {
    // Before: WINDOW_MS=1 made (window, item) keys past 2^53 (wrong counts, silently); a 2 GiB
    // prefetch could wrap a batch's Int32 value ends.
    expect(await failure([...base, '--window-ms', '1'])).toMatch(
      /WINDOW_MS=1 is too small for EVENT_TIME_MAX=2100-01-01T00:00:00Z: .* use WINDOW_MS ≥ \d+/,
    );
    expect(await failure([...base, '--rdkafka', 'queued.max.messages.kbytes=2097151'])).toMatch(
      /queued\.max\.messages\.kbytes \(2097151\) and fetch\.max\.bytes .* below 2147483648/,
    );
  });

  it('unreachable broker, unreachable Elasticsearch, unreadable secret file', async () => {
    expect(await failure([...base, '--kafka-broker', '127.0.0.1:1'])).toMatch(
      /cannot connect to Kafka at 127\.0\.0\.1:1/,
    );
    expect(
      await failure([...base, '--elasticsearch-host', 'http://127.0.0.1:1', '--start-timeout-ms', '3000']),
    ).toMatch(/Elasticsearch did not answer for 3 s \(ELASTICSEARCH_HOST; START_TIMEOUT_MS\)/);
    const missing = join(tmpdir(), 'ria-no-such-file');
    expect(
      await failure(base, { ELASTICSEARCH_USERNAME: 'ria', ELASTICSEARCH_PASSWORD_FILE: missing }),
    ).toMatch(/invalid setting ELASTICSEARCH_PASSWORD_FILE: cannot read .*ria-no-such-file \(ENOENT\)/);
  });

  it('a schema registry setting that cannot work', async () => {
    expect(await failure(base, { SCHEMA_REGISTRY_URL: 'registry:8081' })).toMatch(
      /invalid setting SCHEMA_REGISTRY_URL: expected http:\/\/ or https:\/\//,
    );
    expect(
      await failure(base, {
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
        SCHEMA_REGISTRY_USERNAME: 'ria',
      }),
    ).toMatch(/SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together/);
    expect(
      await failure(['produce', '--format', 'avro', '--count', '1'], { SCHEMA_REGISTRY_URL: '' }),
    ).toMatch(/EVENT_FORMAT=avro needs SCHEMA_REGISTRY_URL/);
  });
});
