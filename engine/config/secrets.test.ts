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
