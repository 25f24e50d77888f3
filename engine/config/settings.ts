/**
 * The settings each command takes. Seed names are kept (KAFKA_BROKER, KAFKA_TOPIC,
 * ELASTICSEARCH_HOST, EVENT_RATE); every option is documented in the README's tables.
 */
import { type OptionSpec, opt } from './options.js';

/** librdkafka properties given as k=v,k=v on the command line; merged over RDKAFKA_* variables. */
const rdkafkaProps: OptionSpec<Record<string, string>> = {
  env: '',
  flag: 'rdkafka',
  description: 'librdkafka properties passed through unchanged, k=v,k=v (also RDKAFKA_<NAME> variables)',
  default: {},
  shownDefault: '(none)',
  parse: (raw) => {
    const props: Record<string, string> = {};
    for (const pair of raw.split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`expected key=value[,key=value...], got "${pair}"`);
      props[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
    return props;
  },
};

export const kafkaOptions = {
  kafkaBroker: opt.brokers('KAFKA_BROKER', 'kafka-broker', '127.0.0.1:9092', 'Kafka bootstrap servers'),
  kafkaTopic: opt.str(
    'KAFKA_TOPIC',
    'kafka-topic',
    'user_interactions',
    'topic of the interaction events (dead letters go to <topic>.dlq)',
    /^[A-Za-z0-9._-]{1,200}$/,
  ),
  rdkafka: rdkafkaProps,
};

export const elasticsearchOptions = {
  elasticsearchHost: opt.url(
    'ELASTICSEARCH_HOST',
    'elasticsearch-host',
    'http://127.0.0.1:9200',
    'Elasticsearch URL',
  ),
};

export const stackOptions = {
  ...kafkaOptions,
  ...elasticsearchOptions,
  topicPartitions: opt.int(
    'TOPIC_PARTITIONS',
    'topic-partitions',
    6,
    1,
    10_000,
    'partitions of the event topic',
  ),
};
