import { describe, expect, it } from 'vitest';
import { esAuthOf } from '../sink/es-client.js';
import { kafkaClientConfig } from './kafka.js';
import { loadOptions } from './options.js';
import { isSecretProperty, redact, registerSecret } from './secrets.js';
import { elasticsearchOptions } from './settings.js';

describe('secrets', () => {
  it('are masked wherever they appear, and so is the password part of any URL', () => {
    registerSecret('hunter2-secret');
    expect(redact('auth failed for hunter2-secret (hunter2-secret)')).toBe('auth failed for *** (***)');
    expect(redact('GET https://bob:pa55@es.example:9200/x')).toBe('GET https://bob:***@es.example:9200/x');
    expect(redact('no secret here')).toBe('no secret here');
  });

  it('come from the environment or a file, never from a flag', () => {
    const { config } = loadOptions(elasticsearchOptions, [], {
      ELASTICSEARCH_USERNAME: 'ria',
      ELASTICSEARCH_PASSWORD: 'from-env-123',
    });
    expect(esAuthOf(config)).toEqual({ username: 'ria', password: 'from-env-123' });
    expect(redact('x from-env-123 x')).toBe('x *** x');
    expect(() => loadOptions(elasticsearchOptions, ['--elasticsearch-password', 'p'], {})).toThrow(
      /unknown option --elasticsearch-password/,
    );
    expect(() =>
      esAuthOf({ elasticsearchHost: 'http://x', elasticsearchApiKeyFile: '/nonexistent/key' }),
    ).toThrow(/invalid setting ELASTICSEARCH_API_KEY_FILE: cannot read \/nonexistent\/key/);
    expect(() => esAuthOf({ elasticsearchHost: 'http://x', elasticsearchPassword: 'abcd' })).toThrow(
      /ELASTICSEARCH_PASSWORD needs ELASTICSEARCH_USERNAME/,
    );
  });

  it('librdkafka secret properties are registered when a client is configured', () => {
    expect(isSecretProperty('sasl.password')).toBe(true);
    expect(isSecretProperty('ssl.key.password')).toBe(true);
    expect(isSecretProperty('sasl.username')).toBe(false);
    kafkaClientConfig({ kafkaBroker: 'b:1', rdkafka: { 'sasl.password': 'kafka-pw-987' } }, 'x', {}, {});
    expect(redact('oops kafka-pw-987')).toBe('oops ***');
  });
});

describe('librdkafka secrets in files', () => {
  it('RDKAFKA_FILE_<NAME> reads any property from a file (never a plain value), redacted; a bad file is one line', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'ria-secret-'));
    writeFileSync(join(dir, 'key-password'), 'key-pass-9876\n');
    writeFileSync(join(dir, 'client-secret'), 'oauth-secret-5432');
    const props = kafkaClientConfig(
      { kafkaBroker: 'b:9092', rdkafka: {} },
      'test',
      {},
      {
        RDKAFKA_SECURITY_PROTOCOL: 'ssl',
        RDKAFKA_FILE_SSL_KEY_PASSWORD: join(dir, 'key-password'),
        RDKAFKA_FILE_SASL_OAUTHBEARER_CLIENT_SECRET: join(dir, 'client-secret'),
      },
    );
    expect(props['ssl.key.password']).toBe('key-pass-9876');
    expect(props['sasl.oauthbearer.client.secret']).toBe('oauth-secret-5432');
    expect(props['security.protocol']).toBe('ssl');
    expect(Object.keys(props).some((k) => k.startsWith('file.'))).toBe(false);
    expect(redact('x key-pass-9876 oauth-secret-5432')).toBe('x *** ***');
    expect(() =>
      kafkaClientConfig(
        { kafkaBroker: 'b:9092', rdkafka: {} },
        'test',
        {},
        { RDKAFKA_FILE_SSL_KEY_PASSWORD: join(dir, 'missing') },
      ),
    ).toThrow(/^invalid setting RDKAFKA_FILE_SSL_KEY_PASSWORD: cannot read .*missing \(ENOENT\)$/);
  });
});
