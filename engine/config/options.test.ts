import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/errors.js';
import { loadOptions, opt, rdkafkaPropsFromEnv } from './options.js';
import { stackOptions } from './settings.js';

describe('options', () => {
  it('take defaults, then the environment, then flags', () => {
    const env = { KAFKA_BROKER: '10.0.0.1:9092', KAFKA_TOPIC: 'from-env' };
    const { config, rest } = loadOptions(stackOptions, ['up', '--kafka-topic', 'from-flag'], env);
    expect(config.kafkaBroker).toBe('10.0.0.1:9092');
    expect(config.kafkaTopic).toBe('from-flag');
    expect(config.elasticsearchHost).toBe('http://127.0.0.1:9200');
    expect(config.topicPartitions).toBe(6);
    expect(rest).toEqual(['up']);
  });

  it('reject unknown options and bad values with the setting named', () => {
    expect(() => loadOptions(stackOptions, ['--nope'], {})).toThrow(/unknown option --nope/);
    expect(() => loadOptions(stackOptions, [], { TOPIC_PARTITIONS: 'six' })).toThrow(
      /TOPIC_PARTITIONS: expected a whole number/,
    );
    expect(() => loadOptions(stackOptions, ['--topic-partitions=0'], {})).toThrow(
      /--topic-partitions: expected a whole number from 1/,
    );
    expect(() => loadOptions(stackOptions, [], { ELASTICSEARCH_HOST: 'ftp://x' })).toThrow(
      /ELASTICSEARCH_HOST/,
    );
    expect(() => loadOptions(stackOptions, ['--kafka-broker', 'nohostport'], {})).toThrow(ConfigError);
    expect(() => loadOptions(stackOptions, ['--kafka-topic'], {})).toThrow(/needs a value/);
  });

  it('parse switches, negations and librdkafka pass-through', () => {
    const specs = { quiet: opt.bool('QUIET', 'quiet', false, 'q') };
    expect(loadOptions(specs, ['--quiet'], {}).config.quiet).toBe(true);
    expect(loadOptions(specs, ['--no-quiet'], { QUIET: 'yes' }).config.quiet).toBe(false);
    expect(() => loadOptions(specs, [], { QUIET: 'maybe' })).toThrow(/QUIET: expected true or false/);
    expect(rdkafkaPropsFromEnv({ RDKAFKA_SASL_MECHANISMS: 'PLAIN', OTHER: 'x' })).toEqual({
      'sasl.mechanisms': 'PLAIN',
    });
    expect(loadOptions(stackOptions, ['--rdkafka', 'linger.ms=5,acks=all'], {}).config.rdkafka).toEqual({
      'linger.ms': '5',
      acks: 'all',
    });
  });
});
